package plan_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// services is a shared base (linked) and two services that push it.
func services() *bake.Definition {
	plats := []string{"linux/amd64", "linux/arm64"}
	reg := []*bake.Export{{Type: "registry", Attrs: map[string]string{}}}
	return &bake.Definition{Targets: []*bake.Target{
		{Name: "api", Context: ptr("api"), Contexts: map[string]string{"base": "target:base"}, Platforms: plats, Tags: []string{"r/api:1"}, Outputs: reg},
		{Name: "base", Platforms: plats, Linked: true},
		{Name: "worker", Context: ptr("worker"), Contexts: map[string]string{"base": "target:base"}, Platforms: plats, Tags: []string{"r/worker:1"}, Outputs: reg},
		{Name: "tool", Context: ptr("tool"), Platforms: []string{"linux/amd64"}, Tags: []string{"r/tool:1"}, Outputs: reg},
	}}
}

func reuse(name string) *plan.Reuse {
	return &plan.Reuse{
		Ref:        "r/" + name + "@sha256:aa",
		Descriptor: ocispec.Descriptor{Digest: "sha256:aa"},
		Platforms: map[string]ocispec.Descriptor{
			"linux/amd64": {Digest: "sha256:a1"},
			"linux/arm64": {Digest: "sha256:a2"},
		},
	}
}

// What runs, and what each node says, when some targets are unchanged.
func TestUnchangedSkipsSolves(t *testing.T) {
	for _, tt := range []struct {
		name      string
		unchanged []string
		// want is node ID -> "run", "skip" (a solve) or "reuse" (a merge).
		want map[string]string
		// changed are the solves' Changed when not the caller's.
		changed map[string][]string
	}{
		{
			name:      "one service unchanged",
			unchanged: []string{"api"},
			want: map[string]string{
				"api@linux/amd64": "skip", "api@linux/arm64": "skip", "api#index": "reuse",
				"base@linux/amd64": "run", "base@linux/arm64": "run",
				"worker@linux/amd64": "run", "worker@linux/arm64": "run", "worker#index": "run",
				"tool@linux/amd64": "run",
			},
		},
		{
			name:      "everything unchanged: the base is not needed",
			unchanged: []string{"api", "worker", "tool"},
			want: map[string]string{
				"api@linux/amd64": "skip", "api@linux/arm64": "skip", "api#index": "reuse",
				"base@linux/amd64": "skip", "base@linux/arm64": "skip",
				"worker@linux/amd64": "skip", "worker@linux/arm64": "skip", "worker#index": "reuse",
				"tool@linux/amd64": "skip", "tool#index": "reuse",
			},
		},
		{
			name:      "a single-platform target gets a merge node to reuse",
			unchanged: []string{"tool"},
			want: map[string]string{
				"api@linux/amd64": "run", "api@linux/arm64": "run", "api#index": "run",
				"base@linux/amd64": "run", "base@linux/arm64": "run",
				"worker@linux/amd64": "run", "worker@linux/arm64": "run", "worker#index": "run",
				"tool@linux/amd64": "skip", "tool#index": "reuse",
			},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := plan.Request{DefaultPlatform: "linux/amd64", Unchanged: map[string]*plan.Reuse{}, Inputs: map[string]plan.SolveInputs{}}
			for _, n := range tt.unchanged {
				req.Unchanged[n] = reuse(n)
			}
			req.Inputs["worker@linux/amd64"] = plan.SolveInputs{Digest: "sha256:w1", Changed: []string{"context"}}
			p, diags := plan.New(services(), req)
			if diags.HasErrors() {
				t.Fatal(diags.Error())
			}
			got := map[string]string{}
			for _, n := range p.Nodes {
				switch {
				case n.Kind == plan.KindSolve && n.Solve.Unchanged:
					got[n.ID] = "skip"
					if n.Solve.Reused.Digest == "" && n.Target != "base" {
						t.Errorf("%s reuses no manifest", n.ID)
					}
				case n.Kind == plan.KindMerge && n.Merge.Reuse != nil:
					got[n.ID] = "reuse"
					if len(n.Deps) != 0 {
						t.Errorf("%s waits for %v", n.ID, n.Deps)
					}
				default:
					got[n.ID] = "run"
				}
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("nodes (-want +got):\n%s", d)
			}
			// An unchanged target exports nothing from a solve that runs.
			for _, n := range p.Nodes {
				if n.Kind != plan.KindSolve {
					continue
				}
				for i, tg := range n.Solve.Targets {
					if req.Unchanged[tg.Name] != nil && n.Solve.Roles[i] != plan.RoleDependency {
						t.Errorf("%s: %s has role %s", n.ID, tg.Name, n.Solve.Roles[i])
					}
				}
			}
		})
	}
}

// --plan shows the digests, what is skipped and why the rest runs.
func TestUnchangedPlanJSON(t *testing.T) {
	req := plan.Request{DefaultPlatform: "linux/amd64",
		Unchanged: map[string]*plan.Reuse{"api": reuse("api"), "tool": reuse("tool")},
		Inputs: map[string]plan.SolveInputs{
			"api@linux/amd64":    {Digest: "sha256:a1in"},
			"worker@linux/amd64": {Digest: "sha256:w1in", Changed: []string{"context", "image:busybox"}},
		}}
	p, diags := plan.New(services(), req)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"solves": 7,`, `"unchanged": 3,`,
		`"id": "api@linux/amd64",` + "\n" + `      "kind": "solve",`,
		`"inputs": "sha256:a1in",` + "\n" + `      "unchanged": true,` + "\n" + `      "reused": "sha256:a1"`,
		`"inputs": "sha256:w1in",` + "\n" + `      "changed": [` + "\n" + `        "context",` + "\n" + `        "image:busybox"`,
		`"changed": [` + "\n" + `        "needed by worker@linux/amd64"`,
		`"reuse": "r/api@sha256:aa"`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("--plan lacks %q:\n%s", want, b.String())
		}
	}
}

func ptr(s string) *string { return &s }

// A dependency whose result an earlier run published does not run for a
// dependent that runs: the dependent reads the image.
func TestUnchangedDependencyResult(t *testing.T) {
	req := plan.Request{DefaultPlatform: "linux/amd64",
		Unchanged: map[string]*plan.Reuse{"worker": reuse("worker"), "tool": reuse("tool")},
		Results:   map[string]string{"base@linux/amd64": "r/api@sha256:b1", "base@linux/arm64": "r/api@sha256:b2"}}
	p, diags := plan.New(services(), req)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, n := range p.Nodes {
		switch n.ID {
		case "base@linux/amd64", "base@linux/arm64", "worker@linux/amd64":
			if !n.Solve.Unchanged {
				t.Errorf("%s runs", n.ID)
			}
			if n.ID == "base@linux/amd64" && n.Solve.Reused.Digest != "sha256:b1" {
				t.Errorf("%s reuses %q", n.ID, n.Solve.Reused.Digest)
			}
		case "api@linux/arm64":
			if n.Solve.Unchanged || len(n.Deps) != 0 || n.Solve.Links[0] != (plan.Link{Name: "base", Node: "base@linux/arm64", Image: "r/api@sha256:b2"}) {
				t.Errorf("%s: unchanged %v, deps %v, links %+v", n.ID, n.Solve.Unchanged, n.Deps, n.Solve.Links)
			}
		}
	}
	// Without the images, the dependency runs for api.
	req.Results = nil
	p, _ = plan.New(services(), req)
	for _, n := range p.Nodes {
		if n.ID == "base@linux/amd64" && n.Solve.Unchanged {
			t.Error("base runs without a published result")
		}
		if n.ID == "api@linux/amd64" && (n.Solve.Links[0].Image != "" || len(n.Deps) != 1) {
			t.Errorf("api: links %+v deps %v", n.Solve.Links, n.Deps)
		}
	}
}

// A reader that rewrites timestamps needs its dependency built; the
// other readers then read it too, as in a build from scratch.
func TestUnchangedDependencyRewritesTimestamps(t *testing.T) {
	def := services()
	for _, tg := range def.Targets {
		if tg.Name == "worker" {
			tg.Outputs = []*bake.Export{{Type: "registry", Attrs: map[string]string{"rewrite-timestamp": "true"}}}
		}
	}
	req := plan.Request{DefaultPlatform: "linux/amd64", Unchanged: map[string]*plan.Reuse{"tool": reuse("tool")},
		Results: map[string]string{"base@linux/amd64": "r/api@sha256:b1", "base@linux/arm64": "r/api@sha256:b2"}}
	p, diags := plan.New(def, req)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		if n.Target == "base" && n.Solve.Unchanged {
			t.Errorf("%s does not run", n.ID)
		}
		for _, l := range n.Solve.Links {
			if l.Image != "" || len(n.Deps) != 1 {
				t.Errorf("%s reads %+v (deps %v)", n.ID, l, n.Deps)
			}
		}
	}
}

// A solve that does not run takes nothing of a farm or of the checks: no
// home node, no load, no Dockerfile read (so no base image to check), no
// test; and an unchanged target's tests do not run even in a solve of it
// that runs for a dependent.
func TestUnchangedNeedsNoNodeNorTest(t *testing.T) {
	def := services()
	def.Tests = []*bake.Test{{Name: "api-ok", Target: "api"}, {Name: "base-ok", Target: "base"}, {Name: "worker-ok", Target: "worker"}}
	runs := &runsOn{runs: map[string]string{"api": "", "base": "", "worker": "", "tool": ""}, builds: map[string]bool{}}
	nodes := []plan.BuilderNode{
		{Name: "amd", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: 1},
		{Name: "arm", Native: []string{"linux/arm64"}, Capacity: 1},
	}
	// api and tool are unchanged; worker is not, so base runs for it.
	req := plan.Request{DefaultPlatform: "linux/amd64", Nodes: nodes, Dockerfiles: runs,
		Unchanged: map[string]*plan.Reuse{"api": reuse("api"), "tool": reuse("tool")}}
	p, diags := plan.New(def, req)
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	got := map[string]string{}
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		var tests []string
		for _, tt := range n.Solve.Tests {
			tests = append(tests, tt.Name)
		}
		got[n.ID] = fmt.Sprintf("%s %s %v %d", n.Builder, n.Exec, tests, len(p.Candidates(n)))
	}
	want := map[string]string{
		"api@linux/amd64":    "  [] 0",
		"api@linux/arm64":    "  [] 0",
		"tool@linux/amd64":   "  [] 0",
		"base@linux/amd64":   "amd native [base-ok] 2",
		"base@linux/arm64":   "arm native [base-ok] 2",
		"worker@linux/amd64": "amd native [worker-ok] 2",
		"worker@linux/arm64": "arm native [worker-ok] 2",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("builder, exec, tests, candidates (-want +got):\n%s", d)
	}
	for b := range runs.builds {
		if strings.HasPrefix(b, "api ") || strings.HasPrefix(b, "tool ") {
			t.Errorf("read the Dockerfile of an unchanged solve: %s", b)
		}
	}
	var b bytes.Buffer
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	// Two nodes share the four solves that run, not the seven.
	for _, want := range []string{`"native": 4,`, `"name": "amd",` + "\n" + `      "native": [` + "\n" + `        "linux/amd64"` + "\n" + `      ],` + "\n" + `      "emulated": [` + "\n" + `        "linux/arm64"` + "\n" + `      ],` + "\n" + `      "capacity": 1,` + "\n" + `      "solves": 2,`} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("--plan lacks %q:\n%s", want, b.String())
		}
	}
}
