package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
)

// checkTests checks what def.Tests ask of the plan: every platform a test
// names is one its target is built for. It keeps, per test, the canonical
// platforms it runs on (nil: all of its target's).
func (b *builder) checkTests(tests []*bake.Test) {
	b.testPlats = make([][]string, len(tests))
	for i, t := range tests {
		ti := b.byName[t.Target]
		if ti == nil || ti.broken || len(t.Platforms) == 0 {
			continue
		}
		keys := make([]string, 0, len(ti.plats))
		for _, p := range ti.plats {
			keys = append(keys, p.key)
		}
		for j, s := range t.Platforms {
			pp := b.parse(strings.TrimSpace(s))
			rng := t.DeclRange
			if j < len(t.PlatformRanges) {
				rng = t.PlatformRanges[j]
			}
			if pp.err != nil {
				b.diags = append(b.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: pp.err.Summary,
					Detail: fmt.Sprintf("Test %q: %s", t.Name, pp.err.Detail), Subject: &rng})
				continue
			}
			if !slices.Contains(keys, pp.key) {
				b.diags = append(b.diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Platform not built",
					Detail: fmt.Sprintf("Test %q names %s, which target %q is not built for; it is built for %s.",
						t.Name, pp.key, t.Target, strings.Join(keys, ", ")),
					Subject: &rng})
				continue
			}
			b.testPlats[i] = append(b.testPlats[i], pp.key)
		}
	}
}

// addTests gives each solve the tests of its targets for its platform, in
// declaration order. An unchanged target (Request.Unchanged) is not
// tested: its image was tested when it was built, and is not built now,
// even when a solve of it runs for a dependent.
func (b *builder) addTests(tests []*bake.Test, groups []*group) {
	for i, t := range tests {
		ti := b.byName[t.Target]
		if ti == nil || ti.reuse != nil {
			continue
		}
		for j, key := range ti.keys {
			if b.testPlats[i] != nil && !slices.Contains(b.testPlats[i], key) {
				continue
			}
			s := groups[ti.solves[j]].node.Solve
			s.Tests = append(s.Tests, t)
		}
	}
}
