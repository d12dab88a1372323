package executor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// Pushed images carry their solve's annotations; a solve that pushes to
// tags itself also pushes the record tag, after the user's, once per
// repository; a push by digest and Docker media types get no tag or no
// annotations.
func TestRecordsAnnotate(t *testing.T) {
	r := &Records{
		Annotations: map[string]map[string]string{"app@linux/amd64": {"io.github.xbake.inputs": "sha256:in"}},
		Tags:        map[string]string{"app": "xbake-inputs-abc"},
	}
	n := &plan.Node{ID: "app@linux/amd64"}
	exps := []*export{
		{target: "app", entry: client.ExportEntry{Type: "image", Attrs: map[string]string{"push": "true", "name": "r/app:1,r/app:latest,other/app:1"}}},
		{target: "app", byDigest: true, entry: client.ExportEntry{Type: "image", Attrs: map[string]string{"push": "true", "name": "r/app", "push-by-digest": "true"}}},
		{target: "app", entry: client.ExportEntry{Type: "image", Attrs: map[string]string{"push": "true", "name": "r/app:1", "oci-mediatypes": "false"}}},
		{target: "app", entry: client.ExportEntry{Type: "docker", Attrs: map[string]string{"name": "r/app:1"}}},
	}
	exps = r.annotate(n, exps)
	want := []map[string]string{
		{"push": "true", "name": "r/app:1,r/app:latest,other/app:1,docker.io/r/app:xbake-inputs-abc,docker.io/other/app:xbake-inputs-abc", "annotation.io.github.xbake.inputs": "sha256:in"},
		{"push": "true", "name": "r/app", "push-by-digest": "true", "annotation.io.github.xbake.inputs": "sha256:in"},
		{"push": "true", "name": "r/app:1,docker.io/r/app:xbake-inputs-abc", "oci-mediatypes": "false"},
		{"name": "r/app:1"},
	}
	for i, e := range exps {
		if d := cmp.Diff(want[i], e.entry.Attrs); d != "" {
			t.Errorf("export %d (-want +got):\n%s", i, d)
		}
	}
	if got := r.withoutRecords([]string{"r/app:1", "docker.io/r/app:xbake-inputs-abc", "localhost:5000/x:xbake-inputs-abc"}); !slices.Equal(got, []string{"r/app:1"}) {
		t.Errorf("withoutRecords: %q", got)
	}
	var none *Records
	none.annotate(n, exps) // nothing to record: no panic
}

// tagRegistry records the tags written.
type tagRegistry struct {
	mu   sync.Mutex
	tags []string
}

func (f *tagRegistry) PushIndex(context.Context, []string, []oci.Manifest, map[string]string) (ocispec.Descriptor, error) {
	return ocispec.Descriptor{}, fmt.Errorf("no index may be pushed")
}

func (f *tagRegistry) Tag(_ context.Context, tags []string, src string) (ocispec.Descriptor, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tags = append(f.tags, strings.Join(tags, ",")+" <- "+src)
	return ocispec.Descriptor{MediaType: ocispec.MediaTypeImageIndex, Digest: "sha256:aa", Size: 100}, nil
}

// countingSolver counts the solves that ran.
type countingSolver struct {
	mu  sync.Mutex
	ran []string
}

func (s *countingSolver) Solve(_ context.Context, req *SolveRequest) (*Result, error) {
	s.mu.Lock()
	s.ran = append(s.ran, req.Node.ID)
	s.mu.Unlock()
	return &Result{Descriptor: ocispec.Descriptor{Digest: "sha256:bb"}}, nil
}

// An unchanged target's solves do not run; its merge node points its
// tags (and the record tag) at the image found, and both say unchanged.
func TestUnchangedTargetIsNotBuilt(t *testing.T) {
	reg := []*bake.Export{{Type: "registry"}}
	df := func(s string) *string { return &s }
	def := &bake.Definition{Targets: []*bake.Target{
		{Name: "api", Dockerfile: df("api.Dockerfile"), Platforms: []string{"linux/amd64", "linux/arm64"}, Tags: []string{"r/api:1"}, Outputs: reg},
		{Name: "web", Dockerfile: df("web.Dockerfile"), Tags: []string{"r/web:1"}, Outputs: reg},
	}}
	p, diags := plan.New(def, plan.Request{DefaultPlatform: "linux/amd64", Unchanged: map[string]*plan.Reuse{
		"api": {Ref: "r/api@sha256:aa", Platforms: map[string]ocispec.Descriptor{"linux/amd64": {Digest: "sha256:a1"}, "linux/arm64": {Digest: "sha256:a2"}}},
	}})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	solver, registry := &countingSolver{}, &tagRegistry{}
	e := &Executor{Solver: solver, Publisher: &Merger{Registry: registry, Records: &Records{Tags: map[string]string{"api": "xbake-inputs-1"}}}}
	rep, err := e.Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, nr := range rep.Nodes {
		got[nr.Node.ID] = string(nr.Status)
		if r := nr.Output(); r != nil && r.Descriptor.Digest != "" {
			got[nr.Node.ID] += " " + string(r.Descriptor.Digest) + " " + strings.Join(r.Published, ",")
		}
	}
	want := map[string]string{
		"api@linux/amd64": "unchanged sha256:a1 ",
		"api@linux/arm64": "unchanged sha256:a2 ",
		"api#index":       "unchanged sha256:aa r/api:1",
		"web@linux/amd64": "done sha256:bb ",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("report (-want +got):\n%s", d)
	}
	if !slices.Equal(solver.ran, []string{"web@linux/amd64"}) {
		t.Errorf("solves that ran: %q", solver.ran)
	}
	if want := []string{"r/api:1,docker.io/r/api:xbake-inputs-1 <- r/api@sha256:aa"}; !slices.Equal(registry.tags, want) {
		t.Errorf("tags written: %q, want %q", registry.tags, want)
	}
	md := rep.Metadata()["api"].(map[string]any)
	if md["containerimage.digest"] != "sha256:aa" || md["image.name"] != "r/api:1" {
		t.Errorf("metadata: %v", md)
	}
}
