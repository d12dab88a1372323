package plan_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

func homes(p *plan.Plan) map[string]string {
	out := map[string]string{}
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve {
			out[n.ID] = n.Builder + " " + string(n.Exec)
		}
	}
	return out
}

func load(p *plan.Plan) map[string]int {
	out := map[string]int{}
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve {
			out[n.Builder]++
		}
	}
	return out
}

func amdNodes(names ...string) []plan.BuilderNode {
	var out []plan.BuilderNode
	for _, n := range names {
		out = append(out, plan.BuilderNode{Name: n, Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64", "linux/arm/v7"}, Capacity: 2})
	}
	return out
}

func manyTargets(n int) []fx {
	var out []fx
	for i := range n {
		out = append(out, fx{name: fmt.Sprintf("t%02d", i), platforms: []string{"linux/amd64"}, args: []kv{{"N", fmt.Sprint(i)}}})
	}
	return out
}

// Equal nodes share the work evenly, and the order in which the nodes are
// listed changes nothing.
func TestPlaceBalancedAndOrderFree(t *testing.T) {
	p := mustPlan(t, plan.Request{Nodes: amdNodes("a", "b", "c")}, manyTargets(18)...)
	if got := load(p); got["a"] != 6 || got["b"] != 6 || got["c"] != 6 {
		t.Errorf("load = %v, want 6 each", got)
	}
	q := mustPlan(t, plan.Request{Nodes: amdNodes("c", "a", "b")}, manyTargets(18)...)
	if h, g := homes(p), homes(q); !maps.Equal(h, g) {
		t.Errorf("reordering the nodes moved solves:\n%v\n%v", h, g)
	}
	for _, n := range p.Nodes {
		if n.Exec != plan.ExecNative {
			t.Errorf("%s: %s, want native", n.ID, n.Exec)
		}
	}
}

// Adding a node moves a share of the solves to it and few others;
// removing one keeps most of the solves of the others where they were.
func TestPlaceMovesLittle(t *testing.T) {
	targets := manyTargets(60)
	three := homes(mustPlan(t, plan.Request{Nodes: amdNodes("a", "b", "c")}, targets...))
	four := homes(mustPlan(t, plan.Request{Nodes: amdNodes("a", "b", "c", "d")}, targets...))
	moved, toD := 0, 0
	for id, h := range three {
		if four[id] != h {
			moved++
			if four[id] == "d native" {
				toD++
			}
		}
	}
	// d takes its share (15); bounded loads may bump a few more.
	if toD != 15 || moved > 15+6 {
		t.Errorf("adding a node moved %d solves, %d of them to it; want 15 to it and few others", moved, toD)
	}
	two := homes(mustPlan(t, plan.Request{Nodes: amdNodes("a", "b")}, targets...))
	stayed, others := 0, 0
	for id, h := range three {
		if h == "c native" {
			continue
		}
		others++
		if two[id] == h {
			stayed++
		}
	}
	if stayed*10 < others*8 {
		t.Errorf("removing a node moved %d of the %d solves of the other nodes", others-stayed, others)
	}
}

// runsOn is a fake Request.Dockerfiles: the RUN steps of a target it
// names run on the build platform ($BUILDPLATFORM) when the value is "",
// else on the platform named (FROM --platform=linux/amd64); the others'
// cannot be told. It records the build platforms it was asked with.
type runsOn struct {
	runs   map[string]string
	builds map[string]bool
}

func (r *runsOn) Build(t *bake.Target, _, build ocispec.Platform) (*plan.DockerfileBuild, bool) {
	r.builds[t.Name+" on "+platforms.Format(build)] = true
	on, ok := r.runs[t.Name]
	if !ok {
		return nil, false
	}
	run := build
	if on != "" {
		run = platforms.MustParse(on)
	}
	return &plan.DockerfileBuild{Runs: []plan.RunStep{{Platform: run, Line: 2, Command: "RUN make"}}}, true
}

// Native nodes first, whatever their capacity; emulation only when no
// node runs the platform; a cross-compiled target runs on any node that
// runs its RUN steps' platform natively, asked with the node's own build
// platform; the JSON says where each solve goes and how.
func TestPlaceNativeFirst(t *testing.T) {
	nodes := []plan.BuilderNode{
		{Name: "amd", Native: []string{"linux/amd64", "linux/386"}, Emulated: []string{"linux/arm64", "linux/arm/v7", "linux/riscv64"}, Capacity: 8},
		{Name: "arm", Native: []string{"linux/arm64"}, Emulated: []string{"linux/amd64"}, Capacity: 1},
	}
	runs := &runsOn{runs: map[string]string{"go": "", "pinned": "linux/amd64"}, builds: map[string]bool{}}
	p := mustPlan(t, plan.Request{Nodes: nodes, Dockerfiles: runs},
		fx{name: "app", platforms: []string{"linux/amd64", "linux/arm64", "linux/arm/v7", "linux/386"}},
		fx{name: "go", platforms: []string{"linux/riscv64", "linux/arm64"}, dockerfile: "go.Dockerfile"},
		fx{name: "pinned", platforms: []string{"linux/s390x"}, dockerfile: "pinned.Dockerfile"},
	)
	want := map[string]string{
		"app@linux/amd64":    "amd native",
		"app@linux/386":      "amd native",
		"app@linux/arm64":    "arm native",
		"app@linux/arm/v7":   "amd emulated", // arm64 is not taken to run 32-bit arm
		"go@linux/arm64":     "arm native",
		"go@linux/riscv64":   "amd cross", // both cross-compile; rendezvous picks
		"pinned@linux/s390x": "amd cross", // its RUN steps need an amd64 node
	}
	got := homes(p)
	if got["go@linux/riscv64"] == "arm cross" {
		want["go@linux/riscv64"] = "arm cross"
	}
	if !maps.Equal(got, want) {
		t.Errorf("homes = %v\nwant %v", got, want)
	}
	if p.Emulated != 1 {
		t.Errorf("Emulated = %d, want 1", p.Emulated)
	}
	for _, n := range p.Nodes {
		cs := p.Candidates(n)
		switch n.ID {
		case "go@linux/riscv64":
			if len(cs) != 2 || cs[0].Exec != plan.ExecCross || cs[1].Exec != plan.ExecCross {
				t.Errorf("candidates of %s = %v, want both nodes cross", n.ID, cs)
			}
		case "pinned@linux/s390x":
			if len(cs) != 1 || cs[0] != (plan.Candidate{Node: "amd", Exec: plan.ExecCross}) {
				t.Errorf("candidates of %s = %v, want amd cross only (arm lists no s390x)", n.ID, cs)
			}
		}
	}
	// Each node is asked with its own platform as BUILDPLATFORM; native
	// solves are not asked about.
	wantBuilds := map[string]bool{"app on linux/arm64": true, "app on linux/amd64": true,
		"go on linux/amd64": true, "go on linux/arm64": true, "pinned on linux/amd64": true, "pinned on linux/arm64": true}
	if !maps.Equal(runs.builds, wantBuilds) {
		t.Errorf("asked %v\nwant %v", runs.builds, wantBuilds)
	}
	var arm7 *plan.Node
	for _, n := range p.Nodes {
		if n.ID == "app@linux/arm/v7" {
			arm7 = n
		}
	}
	cs := p.Candidates(arm7)
	if len(cs) != 1 || cs[0] != (plan.Candidate{Node: "amd", Exec: plan.ExecEmulated}) {
		t.Errorf("candidates of arm/v7 = %v", cs)
	}
	// A node that declares arm/v7 runs it natively.
	nodes[1].Native = append(nodes[1].Native, "linux/arm/v7")
	q := mustPlan(t, plan.Request{Nodes: nodes}, fx{name: "app", platforms: []string{"linux/arm/v7"}})
	if got := homes(q)["app@linux/arm/v7"]; got != "arm native" {
		t.Errorf("declared arm/v7: %s", got)
	}
	var b strings.Builder
	if err := p.WriteJSON(&b); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`"builder": "arm"`, `"name": "amd"`, `"native_solves": 2`, `"emulated_solves": 1`, `"capacity": 8`} {
		if !strings.Contains(b.String(), s) {
			t.Errorf("plan JSON lacks %s:\n%s", s, b.String())
		}
	}
}

// Candidates puts the home first and keeps the other nodes in
// rendezvous order, whatever the order of the nodes.
func TestCandidatesHomeFirst(t *testing.T) {
	p := mustPlan(t, plan.Request{Nodes: amdNodes("a", "b", "c")}, manyTargets(18)...)
	q := mustPlan(t, plan.Request{Nodes: amdNodes("b", "c", "a")}, manyTargets(18)...)
	for i, n := range p.Nodes {
		cs, cq := p.Candidates(n), q.Candidates(q.Nodes[i])
		if len(cs) != 3 || cs[0].Node != n.Builder {
			t.Fatalf("%s: candidates %v, home %s", n.ID, cs, n.Builder)
		}
		if fmt.Sprint(cs) != fmt.Sprint(cq) {
			t.Errorf("%s: %v vs %v", n.ID, cs, cq)
		}
	}
}

// A plan made without nodes and placed later (Plan.Place) keeps its own
// classification: a solve it found cross-compiled is cross on any node
// that does not run its platform, however often it is placed.
func TestPlaceLaterKeepsCross(t *testing.T) {
	runs := &runsOn{runs: map[string]string{"go": ""}, builds: map[string]bool{}}
	p := mustPlan(t, plan.Request{BuilderPlatforms: []string{"linux/amd64"}, Dockerfiles: runs},
		fx{name: "go", platforms: []string{"linux/amd64", "linux/riscv64"}},
		fx{name: "app", platforms: []string{"linux/riscv64"}, dockerfile: "app.Dockerfile"},
	)
	p.Place(amdNodes("a"))
	want := map[string]string{"go@linux/amd64": "a native", "go@linux/riscv64": "a cross", "app@linux/riscv64": "a emulated"}
	if got := homes(p); !maps.Equal(got, want) {
		t.Errorf("homes = %v\nwant %v", got, want)
	}
	// Placed again on other nodes (a plan reused for another builder):
	// the same classification, not the first placement's.
	p.Place(amdNodes("b"))
	want = map[string]string{"go@linux/amd64": "b native", "go@linux/riscv64": "b cross", "app@linux/riscv64": "b emulated"}
	if got := homes(p); !maps.Equal(got, want) {
		t.Errorf("placed again: homes = %v\nwant %v", got, want)
	}
	if cs := p.Candidates(p.Nodes[0]); len(cs) != 1 || cs[0].Node != "b" {
		t.Errorf("placed again: candidates %v", cs)
	}
}

// A builder's platforms (Request.BuilderPlatforms) classify each solve
// as one node with those native platforms would run it: one rule, for a
// farm's nodes and for a builder as a whole, with the same steps under
// QEMU and the same images.
func TestClassifyIsOneNode(t *testing.T) {
	runs := &runPlatforms{runs: map[string][]string{
		"app@linux/amd64":   {"linux/amd64"},
		"app@linux/arm64":   {"linux/amd64", "linux/386"},
		"app@linux/riscv64": {"linux/amd64", "linux/riscv64"},
		"app@linux/s390x":   {},
	}}
	targets := []fx{
		{name: "app", platforms: []string{"linux/amd64", "linux/arm64", "linux/riscv64", "linux/s390x", "linux/arm/v6"}},
		{name: "other", dockerfile: "other.Dockerfile", platforms: []string{"linux/arm64", "linux/386"}},
	}
	native := []string{"linux/amd64", "linux/arm/v7"}
	whole := mustPlan(t, plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: native, Dockerfiles: runs}, targets...)
	one := mustPlan(t, plan.Request{DefaultPlatform: "linux/amd64", Dockerfiles: runs,
		Nodes: []plan.BuilderNode{{Name: "only", Native: native}}}, targets...)
	want := map[string]string{
		"app@linux/amd64":   "native",
		"app@linux/arm64":   "cross",
		"app@linux/riscv64": "emulated",
		"app@linux/s390x":   "cross",
		"app@linux/arm/v6":  "native", // arm/v7 runs arm/v6
		"other@linux/arm64": "emulated",
		"other@linux/386":   "native", // amd64 runs 386
	}
	for i, n := range whole.Nodes {
		o := one.Nodes[i]
		if n.ID != o.ID || n.Exec != o.Exec || want[n.ID] != string(n.Exec) {
			t.Errorf("%s: %s as a whole, %s %s on one node; want %s", n.ID, n.Exec, o.ID, o.Exec, want[n.ID])
		}
		if n.Solve != nil && (fmt.Sprint(n.Solve.EmulatedRuns) != fmt.Sprint(o.Solve.EmulatedRuns) || len(n.Solve.Images) != len(o.Solve.Images)) {
			t.Errorf("%s: runs %v, images %v as a whole; %v, %v on one node", n.ID,
				n.Solve.EmulatedRuns, n.Solve.Images, o.Solve.EmulatedRuns, o.Solve.Images)
		}
	}
	if whole.Emulated != 2 || one.Emulated != 2 {
		t.Errorf("Emulated = %d as a whole, %d on one node; want 2", whole.Emulated, one.Emulated)
	}
}

// Runnable says whether a node lists a way to run a solve, by the rule
// that chose its candidates: natively (amd64 runs 386), emulated, or
// cross-compiled on a node that lists no such platform at all. Only a
// solve no node lists has every node as a last-resort candidate.
func TestRunnable(t *testing.T) {
	nodes := []plan.BuilderNode{{Name: "amd", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}}}
	runs := &runsOn{runs: map[string]string{"go": ""}, builds: map[string]bool{}}
	p := mustPlan(t, plan.Request{Nodes: nodes, Dockerfiles: runs},
		fx{name: "app", platforms: []string{"linux/386", "linux/arm64", "linux/s390x"}},
		fx{name: "go", platforms: []string{"linux/s390x"}, dockerfile: "go.Dockerfile"},
	)
	want := map[string]bool{"app@linux/386": true, "app@linux/arm64": true, "app@linux/s390x": false, "go@linux/s390x": true}
	for _, n := range p.Nodes {
		if got := p.Runnable(n); got != want[n.ID] {
			t.Errorf("Runnable(%s) = %v, want %v", n.ID, got, want[n.ID])
		}
		if cs := p.Candidates(n); len(cs) != 1 || cs[0].Node != "amd" {
			t.Errorf("candidates of %s = %v, want amd", n.ID, cs)
		}
	}
}
