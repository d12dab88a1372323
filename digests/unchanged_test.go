package digests_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/digests"
	"github.com/xbake/xbake/plan"
)

// registry is a fake registry: references and what they name.
type registry map[string]*digests.Image

func (r registry) Image(_ context.Context, ref string) (*digests.Image, error) { return r[ref], nil }

// planOf plans the project as digests does, and returns the set too.
func (p *project) planOf(t *testing.T) (*plan.Plan, *digests.Set) {
	t.Helper()
	base := &bake.Target{Name: "base", Context: str("base"), Platforms: []string{"linux/amd64", "linux/arm64"}, Linked: true}
	app := &bake.Target{Name: "app", Context: str("app"), Contexts: map[string]string{"base": "target:base"},
		Platforms: []string{"linux/amd64", "linux/arm64"}, Args: map[string]*string{"GREETING": str("hi")},
		Tags: []string{"localhost:5000/app:1"}, Outputs: []*bake.Export{{Type: "registry", Attrs: map[string]string{}}}}
	if p.edit != nil {
		p.edit(base, app)
	}
	pl, diags := plan.New(&bake.Definition{Targets: []*bake.Target{app, base}}, plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	set, err := digests.NewHasher(digests.Options{WorkDir: p.dir, Images: p.images, Getenv: func(string) string { return "" }}).Plan(context.Background(), pl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pl, set
}

// published is the registry after a run pushed app from set: the record
// tag, the tag, each platform's image with its annotations, and base's
// results.
func published(set *digests.Set, pl *plan.Plan) registry {
	r := registry{}
	idx := &digests.Image{Ref: "localhost:5000/app@sha256:idx", Descriptor: ocispec.Descriptor{Digest: "sha256:idx"}, Manifests: map[string]ocispec.Descriptor{}}
	for _, pf := range []string{"linux/amd64", "linux/arm64"} {
		d := ocispec.Descriptor{Digest: digest.Digest("sha256:" + strings.ReplaceAll(pf, "/", ""))}
		idx.Manifests[pf] = d
		r["localhost:5000/app@"+string(d.Digest)] = &digests.Image{Ref: "localhost:5000/app@" + string(d.Digest), Descriptor: d,
			Manifests: map[string]ocispec.Descriptor{pf: d}, Annotations: set.Solves["app@"+pf].Annotations()}
	}
	r["localhost:5000/app:1"] = idx
	r["localhost:5000/app:"+set.Targets["app"].Tag()] = idx
	for _, ref := range set.ResultRefs(pl) {
		r[ref] = &digests.Image{Ref: "localhost:5000/app@sha256:base"}
	}
	return r
}

func TestLookup(t *testing.T) {
	p := newProject(t)
	pl, before := p.planOf(t)
	reg := published(before, pl)

	// Nothing changed: unchanged, reusing the index; base's results found.
	found, err := before.Lookup(context.Background(), reg, pl, true)
	if err != nil {
		t.Fatal(err)
	}
	if r := found.Unchanged["app"]; r == nil || r.Ref != "localhost:5000/app@sha256:idx" || r.Platforms["linux/arm64"].Digest != "sha256:linuxarm64" {
		t.Errorf("app: %+v", r)
	}
	if len(found.Results) != 2 || found.Results["base@linux/amd64"] != "localhost:5000/app@sha256:base" {
		t.Errorf("results %v", found.Results)
	}
	if ref := before.ResultRefs(pl)["base@linux/amd64"]; ref != "localhost:5000/app:xbake-result-"+strings.TrimPrefix(before.Solves["base@linux/amd64"].Result, "sha256:") {
		t.Errorf("base's result goes to %q", ref)
	}

	// An argument changed: built, and --plan says what.
	p.edit = func(_, app *bake.Target) { app.Args["GREETING"] = str("hello") }
	pl, after := p.planOf(t)
	if found, err = after.Lookup(context.Background(), reg, pl, true); err != nil {
		t.Fatal(err)
	}
	if found.Unchanged["app"] != nil || !slices.Equal(found.Inputs["app@linux/amd64"].Changed, []string{"args"}) {
		t.Errorf("unchanged %v, changed %q", found.Unchanged, found.Inputs["app@linux/amd64"].Changed)
	}
	if found.Inputs["app@linux/amd64"].Digest != after.Solves["app@linux/amd64"].Digest {
		t.Error("the plan's inputs are not the digests")
	}

	// No image at the tag, or one without a record.
	delete(reg, "localhost:5000/app:1")
	found, _ = after.Lookup(context.Background(), reg, pl, true)
	if got := found.Inputs["app@linux/arm64"].Changed; !slices.Equal(got, []string{"no image at localhost:5000/app:1"}) {
		t.Errorf("changed %q", got)
	}
	reg["localhost:5000/app:1"] = &digests.Image{Ref: "localhost:5000/app@sha256:x", Descriptor: ocispec.Descriptor{Digest: "sha256:x"},
		Manifests: map[string]ocispec.Descriptor{"linux/amd64": {Digest: "sha256:x"}}}
	found, _ = after.Lookup(context.Background(), reg, pl, true)
	if got := found.Inputs["app@linux/amd64"].Changed; !slices.Equal(got, []string{"localhost:5000/app:1 has no input record"}) {
		t.Errorf("changed %q", got)
	}
	if got := found.Inputs["app@linux/arm64"].Changed; !slices.Equal(got, []string{"localhost:5000/app:1 has no linux/arm64 image"}) {
		t.Errorf("changed %q", got)
	}

	// A target that writes files needs its build.
	p.edit = func(_, app *bake.Target) { app.Outputs = append(app.Outputs, &bake.Export{Type: "local", Dest: "out"}) }
	pl, after = p.planOf(t)
	found, _ = after.Lookup(context.Background(), published(after, pl), pl, true)
	if got := found.Inputs["app@linux/amd64"].Changed; found.Unchanged["app"] != nil || !slices.Equal(got, []string{"output type=local is written by the build"}) {
		t.Errorf("changed %q", got)
	}
}
