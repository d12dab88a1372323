package executor_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// panicSolver panics while solving the node it names.
type panicSolver struct {
	*executortest.Fake
	node  string
	calls atomic.Int32 // of node
}

func (s *panicSolver) Solve(ctx context.Context, req *executor.SolveRequest) (*executor.Result, error) {
	if req.Node.ID == s.node {
		s.calls.Add(1)
		panic("a bug in the solver")
	}
	return s.Fake.Solve(ctx, req)
}

// A panic while running one node fails that node with a PanicError (the
// process does not crash) and the run ends as after any failure: its
// dependents are skipped, independent nodes go on with KeepGoing.
// With a Scheduler (every real run has one) the solve runs in a goroutine
// of its own, which recovers too.
func TestRunPanicFailsTheNode(t *testing.T) {
	for _, farm := range []bool{false, true} {
		t.Run(fmt.Sprintf("scheduler=%v", farm), func(t *testing.T) { testRunPanicFailsTheNode(t, farm) })
	}
}

func testRunPanicFailsTheNode(t *testing.T, farm bool) {
	f := &executortest.Fake{}
	ps := &panicSolver{Fake: f, node: "base@linux/arm64"}
	e := &executor.Executor{Solver: ps, Publisher: f, KeepGoing: true, Retries: 2}
	p := chainPlan()
	if farm {
		e.Scheduler = executor.NewScheduler(p, []executor.FarmNode{{Name: "a"}}, 0)
	}
	rep, err := e.Run(context.Background(), p)
	var pe *executor.PanicError
	if !errors.As(err, &pe) || pe.Node != "base@linux/arm64" || len(pe.Stack) == 0 {
		t.Fatalf("err = %v, want a PanicError of base@linux/arm64 with its stack", err)
	}
	if n := ps.calls.Load(); n != 1 {
		t.Errorf("base@linux/arm64 ran %d times; a panic is no transient error", n)
	}
	want := "base@linux/arm64: internal error: a bug in the solver (a bug in xbake; please report it with the command you ran)"
	if err.Error() != want {
		t.Errorf("err = %q\nwant  %q", err, want)
	}
	got := statuses(rep)
	for id, st := range map[string]executor.Status{
		"base@linux/arm64": executor.StatusFailed, "app@linux/arm64": executor.StatusSkipped, "app#index": executor.StatusSkipped,
		"base@linux/amd64": executor.StatusDone, "app@linux/amd64": executor.StatusDone, "tool@linux/amd64": executor.StatusDone,
	} {
		if got[id] != st {
			t.Errorf("%s: %s, want %s", id, got[id], st)
		}
	}
}
