package executor

import (
	"slices"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/plan"
)

func vertex(name string, cached bool, inputs ...digest.Digest) *client.Vertex {
	now := time.Unix(0, 0)
	return &client.Vertex{Digest: digest.FromString(name), Name: name, Inputs: inputs, Started: &now, Completed: &now, Cached: cached}
}

func digests(st *client.SolveStatus) []string {
	if st == nil {
		return nil
	}
	var out []string
	for _, v := range st.Vertexes {
		out = append(out, v.Name)
	}
	for _, s := range st.Statuses {
		out = append(out, "status "+s.ID)
	}
	for _, l := range st.Logs {
		out = append(out, "log "+string(l.Data))
	}
	return out
}

// Node 0 is a dependency of node 1; node 2 is independent of both.
func TestVertexBookAttribution(t *testing.T) {
	b := newVertexBook([][]int{nil, {0}, nil})
	from := vertex("[1/2] FROM busybox", false)
	run := vertex("[2/2] RUN make", false, from.Digest)
	ctx := vertex("[internal] load build context", false)
	cp := vertex("[1/1] COPY --from=base /x /x", true, run.Digest)
	own := vertex("[2/2] RUN test", false, from.Digest)
	t0 := time.Unix(100, 0)

	got := b.report(0, "b1", &client.SolveStatus{
		Vertexes: []*client.Vertex{from, run, ctx},
		Statuses: []*client.VertexStatus{{ID: "resolve busybox", Vertex: from.Digest}},
		Logs:     []*client.VertexLog{{Vertex: run.Digest, Data: []byte("made")}},
	}, t0)
	if want := []string{from.Name, run.Name, ctx.Name, "status resolve busybox", "log made"}; !slices.Equal(digests(got), want) {
		t.Errorf("dependency shows %q, want %q", digests(got), want)
	}
	// The dependent's stream replays its dependency's vertices and logs:
	// none of them is its own.
	got = b.report(1, "b1", &client.SolveStatus{
		Vertexes: []*client.Vertex{from, run, cp},
		Logs:     []*client.VertexLog{{Vertex: run.Digest, Data: []byte("made")}},
	}, t0.Add(time.Second))
	if want := []string{cp.Name}; !slices.Equal(digests(got), want) {
		t.Errorf("dependent shows %q, want %q", digests(got), want)
	}
	// An independent node shares the FROM: it counts it, but progress
	// shows it once, under the node that reported it first.
	got = b.report(2, "b1", &client.SolveStatus{Vertexes: []*client.Vertex{from, own}}, t0.Add(2*time.Second))
	if want := []string{own.Name}; !slices.Equal(digests(got), want) {
		t.Errorf("independent node shows %q, want %q", digests(got), want)
	}
	// On another builder the same digest is another execution.
	other := newVertexBook([][]int{nil, {0}, nil})
	other.report(0, "b1", &client.SolveStatus{Vertexes: []*client.Vertex{from}}, t0)
	if got := other.report(2, "b2", &client.SolveStatus{Vertexes: []*client.Vertex{from}}, t0); len(digests(got)) != 1 {
		t.Errorf("a vertex of another builder is hidden: %q", digests(got))
	}

	for i, want := range []struct {
		first         time.Time
		steps, cached int
	}{
		// The FROM only resolved its reference: cached. The RUN ran.
		{t0, 2, 1},
		{t0.Add(time.Second), 1, 1},
		{t0.Add(2 * time.Second), 2, 1},
	} {
		first, steps, cached := b.end(i)
		if !first.Equal(want.first) || steps != want.steps || cached != want.cached {
			t.Errorf("node %d: first %v, %d/%d, want %v, %d/%d", i, first, cached, steps, want.first, want.cached, want.steps)
		}
	}
}

// A FROM that pulled layers did work; once its node has ended, another
// node's progress shows the shared vertex.
func TestVertexBookPullAndTakeOver(t *testing.T) {
	b := newVertexBook([][]int{nil, nil})
	from := vertex("[1/1] FROM busybox", false)
	now := time.Unix(100, 0)
	b.report(0, "b", &client.SolveStatus{Vertexes: []*client.Vertex{from}, Statuses: []*client.VertexStatus{
		{ID: "resolve busybox", Vertex: from.Digest}, {ID: "sha256:0123", Vertex: from.Digest, Total: 100},
	}}, now)
	if _, steps, cached := b.end(0); steps != 1 || cached != 0 {
		t.Errorf("a pulled FROM counts %d/%d, want 0/1", cached, steps)
	}
	if got := b.report(1, "b", &client.SolveStatus{Vertexes: []*client.Vertex{from}}, now); len(digests(got)) != 1 {
		t.Errorf("the vertex of an ended node is not shown under the next one: %q", digests(got))
	}
}

// A solve's own time leaves out the time its finished build was held
// for dependents; a merge's is its whole run.
func TestOwnTime(t *testing.T) {
	p := &plan.Plan{Nodes: []*plan.Node{{ID: "base", Kind: plan.KindSolve}, {ID: "m", Kind: plan.KindMerge}}}
	w := &walk{plan: p, vertices: newVertexBook([][]int{nil, nil})}
	t0 := time.Unix(100, 0)
	w.vertices.report(0, "b", &client.SolveStatus{Vertexes: []*client.Vertex{vertex("[1/1] RUN x", false)}}, t0.Add(time.Second))
	s := &nodeState{readyAt: t0.Add(3 * time.Second), releasedAt: t0.Add(30 * time.Second)}
	rep := &NodeReport{Started: t0}
	w.timeAndCount(0, s, rep, t0.Add(32*time.Second))
	// First vertex at 1 s, ready at 3 s, released at 30 s, done at 32 s.
	if !rep.Started.Equal(t0.Add(time.Second)) || rep.Duration != 4*time.Second || rep.Steps != 1 {
		t.Errorf("solve: started %v, duration %v, %d steps; want %v, 4s, 1 step", rep.Started, rep.Duration, rep.Steps, t0.Add(time.Second))
	}
	rep = &NodeReport{Started: t0}
	w.timeAndCount(1, &nodeState{}, rep, t0.Add(2*time.Second))
	if rep.Duration != 2*time.Second {
		t.Errorf("merge: duration %v, want 2s", rep.Duration)
	}
}
