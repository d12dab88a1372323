package executor_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// Two published targets and a third that ends last, planned for
// --atomic: the single-platform web gets a merge node too.
func atomicPlan() *plan.Plan {
	return executortest.NewPlanRequest(plan.Request{Atomic: true},
		executortest.PlanTarget{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"}, Merge: true},
		executortest.PlanTarget{Name: "last"},
		executortest.PlanTarget{Name: "web", Merge: true},
	)
}

// lastSolver holds last@linux/amd64 until the other solves have ended,
// and a little more: time for a merge to start if nothing held it.
type lastSolver struct {
	*executortest.Fake
	others chan struct{}
}

func (s *lastSolver) Solve(ctx context.Context, req *executor.SolveRequest) (*executor.Result, error) {
	if req.Node.Target == "last" {
		select {
		case <-s.others:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		time.Sleep(20 * time.Millisecond)
	}
	return s.Fake.Solve(ctx, req)
}

// runAtomic runs atomicPlan through the gate and returns the report, the
// fake's start/end log and the error.
func runAtomic(t *testing.T, f *executortest.Fake, keepGoing bool) (*executor.Report, []string, error) {
	t.Helper()
	p := atomicPlan()
	s := &lastSolver{Fake: f, others: make(chan struct{})}
	var mu sync.Mutex
	ended := 0
	observe := func(ev executor.Event) {
		if ev.Kind != executor.EventFinished || ev.Node.Kind != plan.KindSolve || ev.Node.Target == "last" {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if ended++; ended == 3 {
			close(s.others)
		}
	}
	gate := executor.NewAtomicGate(p, f)
	e := &executor.Executor{Solver: s, Publisher: gate, Events: gate.Events(observe), KeepGoing: keepGoing}
	rep, err := e.Run(context.Background(), p)
	return rep, f.Events(), err
}

func TestAtomicGateHoldsMergesUntilEverySolveEnded(t *testing.T) {
	rep, ev, err := runAtomic(t, &executortest.Fake{}, false)
	if err != nil {
		t.Fatal(err)
	}
	for id, st := range statuses(rep) {
		if st != executor.StatusDone {
			t.Errorf("%s: %s", id, st)
		}
	}
	end := slices.Index(ev, "end last@linux/amd64")
	for _, m := range []string{"app#index", "web#index"} {
		if start := slices.Index(ev, "start "+m); start < end {
			t.Errorf("%s published before the last solve ended: %v", m, ev)
		}
	}
	// A merge's duration is its own: it starts when the gate opens.
	var lastEnd time.Time
	for _, nr := range rep.Nodes {
		if nr.Node.ID == "last@linux/amd64" {
			lastEnd = nr.Started.Add(nr.Duration)
		}
	}
	for _, nr := range rep.Nodes {
		if nr.Node.Kind == plan.KindMerge && nr.Started.Before(lastEnd) {
			t.Errorf("%s started %s before the gate opened: its wait counts in its duration", nr.Node.ID, lastEnd.Sub(nr.Started))
		}
	}
}

// One failed solve and nothing is published, even with --keep-going,
// where the other targets built: their merges fail and say why.
func TestAtomicGateRefusesAfterAFailure(t *testing.T) {
	f := &executortest.Fake{Fail: map[string]bool{"last@linux/amd64": true}}
	rep, ev, err := runAtomic(t, f, true)
	if err == nil {
		t.Fatal("the run succeeded")
	}
	st := statuses(rep)
	for _, id := range []string{"app@linux/amd64", "app@linux/arm64", "web@linux/amd64"} {
		if st[id] != executor.StatusDone {
			t.Errorf("%s: %s", id, st[id])
		}
	}
	for _, n := range rep.Nodes {
		if n.Node.Kind != plan.KindMerge {
			continue
		}
		want := "not published (--atomic): last@linux/amd64 did not succeed, so no tag of the run was written"
		if n.Status != executor.StatusFailed || n.Err == nil || !strings.HasSuffix(n.Err.Error(), want) {
			t.Errorf("%s: %s, %v", n.Node.ID, n.Status, n.Err)
		}
	}
	for _, e := range ev {
		if strings.HasSuffix(e, "#index") {
			t.Errorf("a merge ran: %v", ev)
		}
	}
}

// --atomic over a farm: a solve moved off a lost node holds every merge
// until it has ended on its new node, and then the run publishes.
func TestAtomicGateWithFailover(t *testing.T) {
	var targets []executortest.PlanTarget
	for _, name := range []string{"t0", "t1", "t2", "t3", "t4", "t5"} {
		targets = append(targets, executortest.PlanTarget{Name: name, Merge: true})
	}
	p := executortest.NewPlanRequest(plan.Request{Atomic: true}, targets...)
	p.Place(equalNodes(2, "a", "b"))
	nodes := &executortest.FakeNodes{}
	entered := make(chan string, 100)
	nodes.Entered(entered)
	go func() {
		for e := range entered {
			if strings.HasSuffix(e, " on b") {
				nodes.Down("b")
			}
		}
	}()
	f := &executortest.Fake{Delay: 30 * time.Millisecond, Nodes: nodes}
	gate := executor.NewAtomicGate(p, f)
	rep, err := runOnFarm(p, &executor.Executor{Solver: f, Publisher: gate, Events: gate.Events(nil)}, nodes.Farm(2, "a", "b"), 5*time.Second)
	close(entered)
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for id, st := range statuses(rep) {
		if st != executor.StatusDone {
			t.Errorf("%s: %s", id, st)
		}
	}
	for _, nr := range rep.Nodes {
		moved += len(nr.Moves)
	}
	if moved == 0 {
		t.Fatal("no solve moved; the test proves nothing")
	}
	ev := f.Events()
	lastSolve, firstMerge := -1, len(ev)
	for i, e := range ev {
		switch {
		case strings.HasPrefix(e, "end ") && strings.Contains(e, "@"):
			lastSolve = i
		case strings.HasPrefix(e, "start ") && strings.HasSuffix(e, "#index"):
			firstMerge = min(firstMerge, i)
		}
	}
	if firstMerge < lastSolve {
		t.Errorf("a merge started before the last solve attempt ended: %v", ev)
	}
}
