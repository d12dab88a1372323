package bake

import (
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
)

// loadLinks adds the targets that `target:` contexts of t need and were not
// requested: resolved with the same overrides, exported nowhere
// (type=cacheonly) and marked Linked. Dependencies pass their entitlements
// on to their dependents.
func (r *resolver) loadLinks(name string, t *Target, all map[string]*Target, visiting []string) hcl.Diagnostics {
	visiting = append(visiting, name)
	var diags hcl.Diagnostics
	for _, key := range sortedKeys(t.Contexts) {
		dep, ok := strings.CutPrefix(t.Contexts[key], "target:")
		if !ok {
			continue
		}
		rng := t.ElemRange("contexts", key)
		if dep == name {
			diags = append(diags, xhcl.Errorf(&rng, "Target links to itself",
				"Context %q of target %q is its own output (target:%s). Point it at another target or a directory.", key, name, dep))
			continue
		}
		if i := slices.Index(visiting, dep); i >= 0 {
			path := append(slices.Clone(visiting[i:]), dep)
			// Walking from each member finds the same cycle: report it once.
			key := slices.Sorted(slices.Values(path[1:]))
			if !r.reportCycle(strings.Join(key, "\x00")) {
				continue
			}
			diags = append(diags, xhcl.Errorf(&rng, "Dependency cycle",
				"Targets depend on each other through target: contexts: %s. Remove one of these links.", strings.Join(path, " -> ")))
			continue
		}
		t2, ok := all[dep]
		if !ok {
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
		if len(t.Platforms) > 1 && len(t2.Platforms) > 1 {
			for _, p := range t.Platforms {
				if !slices.Contains(t2.Platforms, p) {
					diags = append(diags, xhcl.Errorf(&rng, "Missing platform in dependency",
						"Target %q builds for %s, but its dependency %q (context %q) does not: it builds for %s. Add %q to the platforms of %q, or give %q a single platform.",
						name, p, dep, key, strings.Join(t2.Platforms, ", "), p, dep, dep))
					break
				}
			}
		}
	}
	return diags
}

// reportCycle returns true the first time a cycle (by its members) is seen.
func (r *resolver) reportCycle(key string) bool {
	if r.cycles == nil {
		r.cycles = map[string]bool{}
	}
	if r.cycles[key] {
		return false
	}
	r.cycles[key] = true
	return true
}
