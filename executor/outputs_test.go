package executor

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// planned plans the targets with plan.New for a linux/amd64 builder, as a
// run does, so that tests see the nodes the executor is really given.
func planned(t *testing.T, targets ...*bake.Target) *plan.Plan {
	t.Helper()
	p, diags := plan.New(&bake.Definition{Targets: targets}, plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		t.Fatalf("plan.New: %v", diags)
	}
	return p
}

// exportLines runs exportsFor on every solve of p and renders each export
// as one line: "node target#output type key=value... [where]".
func exportLines(t *testing.T, p *plan.Plan) []string {
	t.Helper()
	var out []string
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		exps, err := exportsFor(n, "/tmp/run")
		if err != nil {
			t.Fatalf("%s: %v", n.ID, err)
		}
		if len(exps) == 0 {
			out = append(out, n.ID+" nothing")
		}
		for _, e := range exps {
			s := fmt.Sprintf("%s %s#%d %s", n.ID, e.target, e.out, e.entry.Type)
			for _, k := range []string{"name", "push", "push-by-digest"} {
				if v, ok := e.entry.Attrs[k]; ok {
					s += " " + k + "=" + v
				}
			}
			switch {
			case e.part != "":
				s += " part:" + e.part
			case e.file != "":
				s += " file:" + e.file
			case e.dir != "":
				s += " dir:" + e.dir
			case e.load:
				s += " load"
			}
			out = append(out, s)
		}
	}
	return out
}

// TestExportsForPlans: the executor's export decisions come from the plan
// (roles and the planned platform set), never from the raw platform list.
func TestExportsForPlans(t *testing.T) {
	df := func(name string) *string { s := name + ".Dockerfile"; return &s }
	tests := []struct {
		name    string
		targets []*bake.Target
		want    []string
	}{{
		// "local" is the builder's platform: one solve, no merge node, so
		// the solve itself pushes the tags.
		name: "local and the same platform written out are one platform",
		targets: []*bake.Target{{Name: "app", Platforms: []string{"local", "linux/amd64"},
			Tags: []string{"reg.test/app:1"}, Outputs: []*bake.Export{{Type: "registry"}, {Type: "local", Dest: "out"}}}},
		want: []string{
			"app@linux/amd64 app#0 image name=reg.test/app:1 push=true",
			"app@linux/amd64 app#1 local dir:out",
		},
	}, {
		name: "aliases fold too: linux/aarch64 and linux/arm64/v8 are linux/arm64",
		targets: []*bake.Target{{Name: "app", Platforms: []string{"linux/aarch64", "linux/arm64/v8"},
			Tags: []string{"reg.test/app:1"}, Outputs: []*bake.Export{{Type: "docker", Dest: "app.tar"}, {Type: "oci", Dest: "oci.tar"}}}},
		want: []string{
			"app@linux/arm64 app#0 docker name=reg.test/app:1 file:app.tar",
			"app@linux/arm64 app#1 oci file:oci.tar",
		},
	}, {
		name: "several platforms: merged outputs are parts, the others are named per platform",
		targets: []*bake.Target{{Name: "app", Platforms: []string{"linux/amd64", "linux/arm/v7"},
			Tags: []string{"reg.test/app:1", "other.test/x/app:1"},
			Outputs: []*bake.Export{
				{Type: "image", Attrs: map[string]string{"push": "true"}},
				{Type: "docker", Dest: "out/app.tar"},
				{Type: "local", Dest: "out/fs"},
				{Type: "tar", Dest: "out/fs.tar"},
				{Type: "cacheonly"},
			}}},
		want: []string{
			"app@linux/amd64 app#0 image name=reg.test/app,other.test/x/app push=true push-by-digest=true",
			"app@linux/amd64 app#1 docker name=reg.test/app:1-linux-amd64,other.test/x/app:1-linux-amd64 file:out/app-linux-amd64.tar",
			"app@linux/amd64 app#2 local dir:out/fs/linux_amd64",
			"app@linux/amd64 app#3 tar part:tar",
			"app@linux/arm/v7 app#0 image name=reg.test/app,other.test/x/app push=true push-by-digest=true",
			"app@linux/arm/v7 app#1 docker name=reg.test/app:1-linux-arm-v7,other.test/x/app:1-linux-arm-v7 file:out/app-linux-arm-v7.tar",
			"app@linux/arm/v7 app#2 local dir:out/fs/linux_arm_v7",
			"app@linux/arm/v7 app#3 tar part:tar",
		},
	}, {
		// buildx joins the tags with commas into the exporter's name, which
		// BuildKit splits: a tag may hold several names.
		name: "a tag that holds several names separated by commas",
		targets: []*bake.Target{{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"},
			Tags:    []string{"reg.test/app:1,reg.test/app:2"},
			Outputs: []*bake.Export{{Type: "registry"}, {Type: "docker", Dest: "app.tar"}}}},
		want: []string{
			"app@linux/amd64 app#0 image name=reg.test/app push=true push-by-digest=true",
			"app@linux/amd64 app#1 docker name=reg.test/app:1-linux-amd64,reg.test/app:2-linux-amd64 file:app-linux-amd64.tar",
			"app@linux/arm64 app#0 image name=reg.test/app push=true push-by-digest=true",
			"app@linux/arm64 app#1 docker name=reg.test/app:1-linux-arm64,reg.test/app:2-linux-arm64 file:app-linux-arm64.tar",
		},
	}, {
		name: "several platforms and no merged output: an image that is not pushed stays unnamed",
		targets: []*bake.Target{{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"},
			Tags: []string{"reg.test/app:1"}, Outputs: []*bake.Export{{Type: "image"}}}},
		want: []string{
			"app@linux/amd64 app#0 image",
			"app@linux/arm64 app#0 image",
		},
	}, {
		// web and site have the same inputs: one solve per platform serves
		// both, each target as the plan says (site has one platform).
		name: "a shared solve serves each target by its own role and platforms",
		targets: []*bake.Target{
			{Name: "web", Dockerfile: df("w"), Platforms: []string{"linux/amd64", "linux/arm64"},
				Tags: []string{"reg.test/web:1"}, Outputs: []*bake.Export{{Type: "registry"}}},
			{Name: "site", Dockerfile: df("w"), Platforms: []string{"linux/amd64"},
				Tags: []string{"reg.test/site:1"}, Outputs: []*bake.Export{{Type: "registry"}}},
		},
		want: []string{
			"site@linux/amd64 site#0 image name=reg.test/site:1 push=true",
			"site@linux/amd64 web#0 image name=reg.test/web push=true push-by-digest=true",
			"web@linux/arm64 web#0 image name=reg.test/web push=true push-by-digest=true",
		},
	}, {
		name: "a linked target exports nothing, even from a solve it shares",
		targets: []*bake.Target{
			{Name: "app", Dockerfile: df("app"), Contexts: map[string]string{"base": "target:base"},
				Outputs: []*bake.Export{{Type: "local", Dest: "out"}}},
			{Name: "base", Dockerfile: df("base"), Linked: true, Outputs: []*bake.Export{{Type: "local", Dest: "never"}}},
			{Name: "base-copy", Dockerfile: df("base"), Outputs: []*bake.Export{{Type: "local", Dest: "copy"}}},
			{Name: "tools", Dockerfile: df("tools"), Linked: true, Outputs: []*bake.Export{{Type: "local", Dest: "never"}}},
			{Name: "user", Dockerfile: df("user"), Contexts: map[string]string{"t": "target:tools"}},
		},
		want: []string{
			"base@linux/amd64 base-copy#0 local dir:copy",
			"tools@linux/amd64 nothing",
			"app@linux/amd64 app#0 local dir:out",
			"user@linux/amd64 nothing",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, exportLines(t, planned(t, tc.targets...))); d != "" {
				t.Errorf("exports (-want +got):\n%s", d)
			}
		})
	}
}

// The per-platform cache refs follow the planned platforms too: "local"
// next to the same platform is one platform, and a solve shared with a
// target of several platforms uses that target's per-platform refs.
func TestCacheEntriesFollowThePlan(t *testing.T) {
	cache := []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": "reg.test/c:x"}}}
	df := "d.Dockerfile"
	p := planned(t,
		&bake.Target{Name: "a", Platforms: []string{"local", "linux/amd64"}, CacheTo: cache},
		&bake.Target{Name: "b", Dockerfile: &df, Platforms: []string{"linux/amd64"}, CacheTo: cache},
		&bake.Target{Name: "c", Dockerfile: &df, Platforms: []string{"linux/amd64", "linux/arm64"}, CacheTo: cache},
	)
	bk := &BuildKit{opt: BuildKitOptions{WorkDir: "/w", Getenv: func(k string) string { return map[string]string{"BUILDX_NO_DEFAULT_ATTESTATIONS": "1"}[k] }}, prep: map[string]*prepared{}, sessions: newSharedSessions(), tmp: "/tmp/run",
		builders: &Builders{Nodes: []*Builder{{Name: "local"}}}}
	if err := bk.prepare(t.Context(), p); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve {
			got = append(got, n.ID+" "+bk.prep[n.ID].cacheTo[0].Attrs["ref"])
		}
	}
	want := []string{"a@linux/amd64 reg.test/c:x", "b@linux/amd64 reg.test/c:x-linux-amd64", "c@linux/arm64 reg.test/c:x-linux-arm64"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("cache-to refs (-want +got):\n%s", d)
	}
}

func TestExportsForAnnotationsAndErrors(t *testing.T) {
	app := &bake.Target{Name: "app", Platforms: []string{"linux/amd64", "linux/arm/v7"}, Tags: []string{"reg.test/app:1"},
		Outputs:     []*bake.Export{{Type: "image", Attrs: map[string]string{"push": "true"}}},
		Annotations: []string{"index:org.opencontainers.image.title=App", "org.x=y"}}
	exps, err := exportsFor(solveNode(app, "linux/arm/v7", plan.RoleMerge), "/tmp/run")
	if err != nil {
		t.Fatal(err)
	}
	if a := exps[0].entry.Attrs; a["annotation-index.org.opencontainers.image.title"] != "App" || a["annotation.org.x"] != "y" {
		t.Errorf("annotations: %v", a)
	}
	if got := indexAnnotations(app); got["org.opencontainers.image.title"] != "App" || len(got) != 1 {
		t.Errorf("index annotations = %v", got)
	}
	untagged := &bake.Target{Name: "u", Outputs: []*bake.Export{{Type: "image", Attrs: map[string]string{"push": "true"}}}}
	if _, err := exportsFor(solveNode(untagged, "linux/amd64", plan.RoleExport), "/tmp"); err == nil || err.Error() != "target u: output type=image: tag is needed when pushing to registry" {
		t.Errorf("push without tags: %v", err)
	}
}
