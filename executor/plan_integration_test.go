package executor_test

import (
	"context"
	"slices"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// platforms = ["local", "linux/amd64"] on an amd64 builder is one platform:
// the plan has one solve and no merge node, so that solve pushes the tag
// itself. (The executor once decided from the raw list of two, pushed by
// digest only, wrote no tag and reported done.)
func TestIntegrationLocalPlatformPushesTag(t *testing.T) {
	r := newRun(t)
	ctx := context.Background()
	bs, err := executor.Connect(ctx, r.builders)
	if err != nil {
		t.Fatal(err)
	}
	dflt, native := bs.DefaultPlatform(), bs.NativePlatforms()
	bs.Close()
	if dflt != "linux/amd64" {
		t.Skipf("the builder's default platform is %s: this case needs an amd64 builder", dflt)
	}
	repo := r.env.Repo(t)
	tgt := r.target("app", []string{"local", "linux/amd64"}, archDockerfile(r.env.Registry), &bake.Export{Type: "registry"})
	tgt.Tags = []string{repo + ":v1"}
	p, diags := plan.New(&bake.Definition{Targets: []*bake.Target{tgt}},
		plan.Request{DefaultPlatform: dflt, BuilderPlatforms: native})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(p.Nodes) != 1 || p.Nodes[0].ID != "app@linux/amd64" {
		t.Fatalf("plan: %d nodes, first %s; want the one solve app@linux/amd64", len(p.Nodes), p.Nodes[0].ID)
	}
	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	// Other tests may have built the same Dockerfile: cached is done too.
	if st := rep.Nodes[0].Status; st != executor.StatusDone && st != executor.StatusCached {
		t.Fatalf("app@linux/amd64: %s, want done or cached", st)
	}
	if pub := rep.Nodes[0].Result.Published; !slices.Contains(pub, repo+":v1") {
		t.Errorf("published %v, want %s:v1", pub, repo)
	}
	ins, err := oci.NewClient().Inspect(ctx, repo+":v1")
	if err != nil {
		t.Fatalf("the tag was not pushed: %v", err)
	}
	if ins.Platform == nil || ins.Platform.OS != "linux" || ins.Platform.Architecture != "amd64" {
		t.Errorf("%s:v1 is %s with platform %+v, want one image of linux/amd64", repo, ins.MediaType, ins.Platform)
	}
}
