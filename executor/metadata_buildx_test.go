package executor

import (
	"encoding/base64"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

func TestParseMetadataProvenance(t *testing.T) {
	for in, want := range map[string]MetadataProvenance{
		"": MetadataProvenanceMin, "min": MetadataProvenanceMin, "max": MetadataProvenanceMax,
		"disabled": MetadataProvenanceDisabled, "false": MetadataProvenanceDisabled, "0": MetadataProvenanceDisabled,
		"true": MetadataProvenanceMin, "other": MetadataProvenanceMin,
	} {
		if got := ParseMetadataProvenance(in); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}

// A target of several platforms gets buildx's keys for its one build:
// the first declared platform's build ref, and one provenance per
// platform.
func TestMetadataMultiPlatformKeys(t *testing.T) {
	prov := func(p string) string { return base64.StdEncoding.EncodeToString([]byte(`{"buildType":"` + p + `"}`)) }
	tgt := &bake.Target{Name: "app", Platforms: []string{"linux/arm64", "linux/amd64"}, Tags: []string{"r.test/app"}, Outputs: []*bake.Export{{Type: "registry"}}}
	solve := func(p string) *NodeReport {
		n := solveNode(tgt, p, plan.RoleMerge)
		return &NodeReport{Node: n, Status: StatusDone, Result: &Result{ExporterResponse: map[string]map[string]string{
			"app": {BuildRefKey: "xbake/b/" + p, ProvenanceKey: prov(p)}}}}
	}
	merge := &NodeReport{Node: &plan.Node{ID: "app#index", Kind: plan.KindMerge, Merge: &plan.Merge{Target: tgt,
		Platforms: []string{"linux/arm64", "linux/amd64"}}}, Status: StatusDone,
		Result: &Result{ExporterResponse: map[string]map[string]string{"app": {"containerimage.digest": "sha256:x"}}}}
	md := (&Report{Nodes: []*NodeReport{solve("linux/amd64"), solve("linux/arm64"), merge}}).Metadata()
	app := md["app"].(map[string]any)
	delete(app, PlatformsKey)
	want := map[string]any{
		"containerimage.digest":        "sha256:x",
		BuildRefKey:                    "xbake/b/linux/arm64",
		ProvenanceKey + "/linux/amd64": map[string]any{"buildType": "linux/amd64"},
		ProvenanceKey + "/linux/arm64": map[string]any{"buildType": "linux/arm64"},
	}
	if d := cmp.Diff(want, app); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
