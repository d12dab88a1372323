package executor_test

import (
	"context"
	"errors"
	"testing"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// panicSolver panics while solving the node it names.
type panicSolver struct {
	*executortest.Fake
	node string
}

func (s *panicSolver) Solve(ctx context.Context, req *executor.SolveRequest) (*executor.Result, error) {
	if req.Node.ID == s.node {
		panic("a bug in the solver")
	}
	return s.Fake.Solve(ctx, req)
}

// A panic while running one node fails that node with a PanicError (the
// process does not crash) and the run ends as after any failure: its
// dependents are skipped, independent nodes go on with KeepGoing.
func TestRunPanicFailsTheNode(t *testing.T) {
	f := &executortest.Fake{}
	e := &executor.Executor{Solver: &panicSolver{Fake: f, node: "base@linux/arm64"}, Publisher: f, KeepGoing: true}
	rep, err := e.Run(context.Background(), chainPlan())
	var pe *executor.PanicError
	if !errors.As(err, &pe) || pe.Node != "base@linux/arm64" || len(pe.Stack) == 0 {
		t.Fatalf("err = %v, want a PanicError of base@linux/arm64 with its stack", err)
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
