package bake

import (
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// loadLinks adds the targets that `target:` contexts of t need and were not
// requested: resolved with the same overrides, exported nowhere
// (type=cacheonly) and marked Linked. Dependencies pass their entitlements
// on to their dependents.
//
// It follows links only: whether they are valid (not to the target itself,
// no cycle, platforms that match, with canonical platforms) is decided by
// package plan, once (plan.CheckLinks before --print, plan.New before a
// build). A link back to a target on the current path is not followed, so
// a cycle ends here and is reported there.
func (r *resolver) loadLinks(name string, t *Target, all map[string]*Target, visiting []string) hcl.Diagnostics {
	visiting = append(visiting, name)
	var diags hcl.Diagnostics
	for _, key := range slices.Sorted(maps.Keys(t.Contexts)) {
		dep, ok := strings.CutPrefix(t.Contexts[key], "target:")
		if !ok || slices.Contains(visiting, dep) {
			continue
		}
		t2, ok := all[dep]
		if !ok {
			rng := t.ElemRange("contexts", key)
			var d hcl.Diagnostics
			t2, d = r.resolveTarget(dep, &rng)
			diags = append(diags, d...)
			if t2 == nil {
				continue
			}
			t2.Outputs = []*Export{{Type: "cacheonly", Attrs: map[string]string{}}}
			t2.Linked = true
			all[dep] = t2
		}
		diags = append(diags, r.loadLinks(dep, t2, all, visiting)...)
		for _, e := range t2.Entitlements {
			if !slices.Contains(t.Entitlements, e) {
				t.Entitlements = appendClone(t.Entitlements, []string{e})
			}
		}
	}
	return diags
}
