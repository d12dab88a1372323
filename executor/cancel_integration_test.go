package executor_test

import (
	"context"
	"errors"
	"os"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// A daemon that stops answering mid-build (frozen with SIGSTOP, its
// connections open): canceling the run, as Ctrl-C does, ends the run,
// closing the solver's sessions and the builder connections included,
// within a few seconds instead of waiting for the daemon forever.
func TestIntegrationCancelWithFrozenDaemon(t *testing.T) {
	r := newRun(t)
	d := executortest.StartDaemonProcess(t, "linux/amd64")
	r.builders = []executor.BuilderConfig{{Name: "frozen", Endpoint: d.Addr}}
	r.file("ctx/data.txt", "shared with the daemon through a session\n")
	tgt := r.target("app", nil, "FROM "+r.env.Registry+"/xbake/busybox\nCOPY ctx/data.txt /data.txt\nRUN sleep 60\n",
		&bake.Export{Type: "local", Dest: "out"})
	tgt.NoCache = ptr(true)
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: tgt})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	canceled := make(chan time.Time, 1)
	go func() {
		deadline := time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) && !strings.Contains(r.output(), "RUN sleep 60") {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(500 * time.Millisecond) // the step is running
		d.Freeze(t)
		canceled <- time.Now()
		cancel()
	}()
	type result struct {
		rep *executor.Report
		err error
	}
	done := make(chan result, 1)
	go func() {
		rep, err := r.run(ctx, p)
		done <- result{rep, err}
	}()
	var res result
	select {
	case res = <-done:
	case <-time.After(4 * time.Minute):
		pprof.Lookup("goroutine").WriteTo(os.Stderr, 1)
		t.Fatal("the run did not end 4 minutes after it started (the daemon is frozen)")
	}
	select {
	case at := <-canceled:
		// BuildKit's client waits up to 5 s for a build's last status;
		// everything else must give up on the daemon at once.
		took := time.Since(at)
		t.Logf("the run ended %s after cancel", took.Round(100*time.Millisecond))
		if took > 15*time.Second {
			t.Errorf("the run ended %s after cancel, want a few seconds", took.Round(time.Second))
		}
	default:
		t.Fatalf("the run ended before it was canceled: %v\n%s", res.err, r.output())
	}
	if !errors.Is(res.err, context.Canceled) {
		t.Errorf("err = %v, want canceled", res.err)
	}
	mustStatus(t, res.rep, map[string]executor.Status{"app@linux/amd64": executor.StatusCanceled})
}
