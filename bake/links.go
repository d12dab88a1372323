package bake

import (
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// loadLinks adds the targets that `target:` contexts of targets need and
// were not requested: resolved with the same overrides, exported nowhere
// (type=cacheonly) and marked Linked. Dependencies pass their
// entitlements on to their dependents.
//
// It follows links only: whether they are valid (not to the target itself,
// no cycle, platforms that match, with canonical platforms) is decided by
// package plan, once (plan.CheckLinks before --print, plan.New before a
// build). A link back to a target on the current path is not followed, so
// a cycle ends here and is reported there.
//
// Each target's links are followed once: a dependency that several
// targets reach (a diamond, or a ladder of them, where the paths double
// at every rung) is complete, with its dependencies' entitlements, the
// first time it is reached.
func (r *resolver) loadLinks(targets map[string]*Target) hcl.Diagnostics {
	var diags hcl.Diagnostics
	done := map[string]bool{}
	// onPath holds the targets of the walk from the root to here, as a
	// set: searching a slice made a chain of n links cost n² (30,000
	// links took 10 s).
	onPath := map[string]bool{}
	var visit func(name string, t *Target)
	visit = func(name string, t *Target) {
		if done[name] {
			return
		}
		onPath[name] = true
		defer delete(onPath, name)
		for _, key := range slices.Sorted(maps.Keys(t.Contexts)) {
			dep, ok := strings.CutPrefix(t.Contexts[key], "target:")
			if !ok || onPath[dep] {
				continue
			}
			t2, ok := targets[dep]
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
				targets[dep] = t2
			}
			visit(dep, t2)
			for _, e := range t2.Entitlements {
				if !slices.Contains(t.Entitlements, e) {
					t.Entitlements = appendClone(t.Entitlements, []string{e})
				}
			}
		}
		done[name] = true
	}
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		visit(name, targets[name])
	}
	return diags
}
