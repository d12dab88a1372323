package executor

import (
	"maps"
	"slices"

	"github.com/xbake/xbake/plan"
)

// BuildRefKey is buildx's metadata key of a build's record reference.
const BuildRefKey = "buildx.build.ref"

// addMultiPlatformKeys gives each target of several platforms the keys
// buildx writes for its one multi-platform build: BuildRefKey (xbake has
// one build per platform; the key holds the first platform's, and
// PlatformsKey every platform's) and ProvenanceKey+"/"+platform. out is
// what Metadata built so far; a target with one platform already has its
// solve's keys.
func (r *Report) addMultiPlatformKeys(out map[string]any) {
	order := map[string][]string{} // target -> platforms as declared
	for _, nr := range r.Nodes {
		if nr.Node.Kind == plan.KindMerge {
			order[nr.Node.Merge.Target.Name] = nr.Node.Merge.Platforms
		}
	}
	for _, name := range slices.Sorted(maps.Keys(out)) {
		m, _ := out[name].(map[string]any)
		plats, _ := m[PlatformsKey].(map[string]any)
		if len(plats) < 2 {
			continue
		}
		keys := order[name]
		if len(keys) == 0 {
			keys = slices.Sorted(maps.Keys(plats))
		}
		for i, p := range keys {
			resp, _ := plats[p].(map[string]any)
			if ref, ok := resp[BuildRefKey]; ok && i == 0 {
				m[BuildRefKey] = ref
			}
			if prov, ok := resp[ProvenanceKey]; ok {
				m[ProvenanceKey+"/"+p] = prov
			}
		}
	}
}
