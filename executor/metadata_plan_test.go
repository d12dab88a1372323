package executor

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
)

// TestMetadataFollowsThePlan: a target's top-level metadata is its one
// solve's response when the plan gives it one platform (whatever its raw
// list says), its merge node's when it has several.
func TestMetadataFollowsThePlan(t *testing.T) {
	df := "m.Dockerfile"
	p := planned(t,
		&bake.Target{Name: "one", Platforms: []string{"local", "linux/amd64"}, Outputs: []*bake.Export{{Type: "registry"}}},
		&bake.Target{Name: "multi", Dockerfile: &df, Platforms: []string{"linux/amd64", "linux/arm64"}, Outputs: []*bake.Export{{Type: "registry"}}},
	)
	rep := &Report{}
	for _, n := range p.Nodes {
		res := &Result{ExporterResponse: map[string]map[string]string{n.Target: {"containerimage.digest": "sha256:" + n.ID}}}
		rep.Nodes = append(rep.Nodes, &NodeReport{Node: n, Status: StatusDone, Result: res})
	}
	got := rep.Metadata()
	want := map[string]any{
		"one": map[string]any{
			"containerimage.digest": "sha256:one@linux/amd64",
			PlatformsKey:            map[string]any{"linux/amd64": map[string]any{"containerimage.digest": "sha256:one@linux/amd64"}},
		},
		"multi": map[string]any{
			"containerimage.digest": "sha256:multi#index",
			PlatformsKey: map[string]any{
				"linux/amd64": map[string]any{"containerimage.digest": "sha256:multi@linux/amd64"},
				"linux/arm64": map[string]any{"containerimage.digest": "sha256:multi@linux/arm64"},
			},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("metadata (-want +got):\n%s", d)
	}
}
