package plan

import (
	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// checkPolicies warns about each target that declares a Rego policy
// (`policy`) still enabled: buildx evaluates it against every source the
// build reads and fails the build on a denial; xbake does not evaluate
// policies, and a check the user relies on must not pass in silence.
// --policy disabled=true (bake.Request.DisablePolicy) says it need not.
func (b *builder) checkPolicies(targets []*bake.Target) {
	for _, t := range targets {
		var files []string
		enabled := false
		for _, p := range t.Policy {
			if p == nil || p.Disabled != nil && *p.Disabled {
				continue
			}
			enabled = true
			if p.Filename != "" {
				files = append(files, p.Filename)
			}
		}
		if !enabled {
			continue
		}
		what := "a Rego policy (the one buildx loads next to its Dockerfile)"
		if len(files) > 0 {
			what = "the Rego policy " + quoteList(files)
		}
		rng := t.AttrRange("policy")
		b.diags = append(b.diags, xhcl.Warnf(&rng, "Policy not enforced",
			"Target %q declares %s, which buildx evaluates against every source its build reads; "+
				"xbake does not evaluate policies, so this build is not checked against it. "+
				"Build it with docker buildx bake where the policy must hold, or pass --policy disabled=true to say it need not.",
			t.Name, what))
	}
}
