package executor_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

func completed(name string, cached bool) *client.Vertex {
	now := time.Now()
	return &client.Vertex{Digest: digest.FromString(name), Name: name, Started: &now, Completed: &now, Cached: cached,
		Inputs: []digest.Digest{digest.FromString("input")}}
}

// The report's figures are each node's own: a dependent's stream replays
// its dependency's steps, which neither count nor show under it, and a
// fully cached node is "cached".
func TestReportOwnSteps(t *testing.T) {
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "base"},
		executortest.PlanTarget{Name: "app", Links: map[string]string{"base": "base"}},
	)
	run, own := completed("[1/2] RUN make", false), completed("[1/1] COPY --from=base /x /x", true)
	f := &executortest.Fake{Progress: map[string][]*client.SolveStatus{
		"base@linux/amd64": {{Vertexes: []*client.Vertex{run, completed("[2/2] RUN test", true)},
			Logs: []*client.VertexLog{{Vertex: run.Digest, Data: []byte("made\n")}}}},
		"app@linux/amd64": {{Vertexes: []*client.Vertex{run, completed("[2/2] RUN test", true), own},
			Logs: []*client.VertexLog{{Vertex: run.Digest, Data: []byte("made\n")}}}},
	}}
	var mu sync.Mutex
	shown := map[string][]string{} // vertex name or log -> nodes that show it
	e := &executor.Executor{Solver: f, Publisher: f, Events: func(ev executor.Event) {
		if ev.Kind != executor.EventProgress {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		for _, v := range ev.Status.Vertexes {
			shown[v.Name] = append(shown[v.Name], ev.Node.ID)
		}
		for _, l := range ev.Status.Logs {
			shown["log "+string(l.Data)] = append(shown["log "+string(l.Data)], ev.Node.ID)
		}
	}}
	rep, err := e.Run(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]struct {
		status        executor.Status
		cached, steps int
	}{
		"base@linux/amd64": {executor.StatusDone, 1, 2},
		"app@linux/amd64":  {executor.StatusCached, 1, 1},
	}
	for _, nr := range rep.Nodes {
		w := want[nr.Node.ID]
		if nr.Status != w.status || nr.Cached != w.cached || nr.Steps != w.steps {
			t.Errorf("%s: %s %d/%d, want %s %d/%d", nr.Node.ID, nr.Status, nr.Cached, nr.Steps, w.status, w.cached, w.steps)
		}
	}
	for name, nodes := range shown {
		if len(nodes) != 1 {
			t.Errorf("%q shown under %v, want once", name, nodes)
		}
	}
	if got := shown["[1/1] COPY --from=base /x /x"]; len(got) != 1 || got[0] != "app@linux/amd64" {
		t.Errorf("the dependent's own step is shown under %v", got)
	}
}

// A dependency is released once its dependents have evaluated, not once
// they have exported: base ends while app's export is still held.
func TestReleaseBeforeDependentsExport(t *testing.T) {
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "base"},
		executortest.PlanTarget{Name: "app", Links: map[string]string{"base": "base"}},
	)
	export := make(chan struct{})
	f := &executortest.Fake{Export: map[string]chan struct{}{"app@linux/amd64": export}}
	baseDone := make(chan struct{})
	e := &executor.Executor{Solver: f, Publisher: f, Events: func(ev executor.Event) {
		if ev.Kind == executor.EventFinished && ev.Node.ID == "base@linux/amd64" {
			close(baseDone)
		}
	}}
	done := make(chan error, 1)
	go func() {
		_, err := e.Run(context.Background(), p)
		done <- err
	}()
	select {
	case <-baseDone:
	case <-time.After(time.Minute):
		close(export)
		t.Fatal("base was not released while app's export was held")
	}
	close(export)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
