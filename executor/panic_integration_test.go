package executor_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// A panic in a callback that BuildKit's client runs on a goroutine of its
// own (here the progress of a solve, as the CLI's display receives it)
// fails that solve with a PanicError and cancels its build; the process
// goes on, and the other solve ends as after any failure.
func TestIntegrationPanicInProgressFailsTheSolve(t *testing.T) {
	r := newRun(t)
	df := "FROM " + r.env.Registry + "/xbake/busybox\nRUN echo " + t.Name() + " && sleep 1\n"
	r.exec.KeepGoing = true
	r.exec.Events = func(ev executor.Event) {
		if ev.Kind == executor.EventProgress && ev.Node.Target == "bad" {
			panic("a bug in the display")
		}
	}
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "bad", Target: r.target("bad", nil, df)},
		executortest.PlanTarget{Name: "good", Target: r.target("good", nil, df+"RUN true\n")},
	)
	rep, err := r.build(p)
	var pe *executor.PanicError
	if !errors.As(err, &pe) || pe.Node != "bad@linux/amd64" || !strings.Contains(string(pe.Stack), "panic_integration_test.go") {
		t.Fatalf("err = %v, want the PanicError of bad@linux/amd64 with the stack of the panic\n%s", err, r.output())
	}
	for _, nr := range rep.Nodes {
		if ok := nr.Status.Succeeded(); ok != (nr.Node.ID == "good@linux/amd64") {
			t.Errorf("%s: %s (%v)", nr.Node.ID, nr.Status, nr.Err)
		}
	}
}
