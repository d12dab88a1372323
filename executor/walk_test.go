package executor_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// chain: base (2 platforms) <- app (2 platforms, merged) ; tool independent.
func chainPlan() *plan.Plan {
	return executortest.NewPlan(
		executortest.PlanTarget{Name: "base", Platforms: []string{"linux/amd64", "linux/arm64"}},
		executortest.PlanTarget{Name: "app", Platforms: []string{"linux/arm64", "linux/amd64"},
			Links: map[string]string{"base": "base"}, Merge: true},
		executortest.PlanTarget{Name: "tool"},
	)
}

func statuses(r *executor.Report) map[string]executor.Status {
	m := map[string]executor.Status{}
	for _, n := range r.Nodes {
		m[n.Node.ID] = n.Status
	}
	return m
}

func TestRunOrder(t *testing.T) {
	f := &executortest.Fake{}
	e := &executor.Executor{Solver: f, Publisher: f}
	rep, err := e.Run(context.Background(), chainPlan())
	if err != nil {
		t.Fatal(err)
	}
	for id, st := range statuses(rep) {
		if st != executor.StatusDone {
			t.Errorf("%s: %s", id, st)
		}
	}
	ev := f.Events()
	pos := func(s string) int { return slices.Index(ev, s) }
	// A dependent starts once its dependency's result is ready, which is
	// before the dependency ends (it holds the result for dependents).
	for _, pl := range []string{"linux/amd64", "linux/arm64"} {
		if pos("end base@"+pl) < 0 || pos("start app@"+pl) < pos("end base@"+pl) {
			t.Errorf("app@%s started before base@%s's result: %v", pl, pl, ev)
		}
		if pos("start app#index") < pos("end app@"+pl) {
			t.Errorf("merge started before app@%s ended: %v", pl, ev)
		}
	}
	if got, want := f.Links("app@linux/arm64"), []string{executortest.Digest("base@linux/arm64").String()}; !slices.Equal(got, want) {
		t.Errorf("links of app@linux/arm64 = %v, want %v", got, want)
	}
	m := rep.Nodes[len(rep.Nodes)-1]
	if m.Node.ID != "app#index" || m.Result.Descriptor.Digest != executortest.Digest("app#index") {
		t.Errorf("last node = %s %v", m.Node.ID, m.Result)
	}
}

func TestRunFailFast(t *testing.T) {
	f := &executortest.Fake{
		Fail:  map[string]bool{"base@linux/arm64": true},
		Block: map[string]bool{"tool@linux/amd64": true},
	}
	e := &executor.Executor{Solver: f, Publisher: f}
	rep, err := e.Run(context.Background(), chainPlan())
	if !errors.Is(err, executortest.ErrFake) {
		t.Fatalf("err = %v, want the fake build error", err)
	}
	if got := err.Error(); got != "base@linux/arm64: fake build error" {
		t.Errorf("error %q is not wrapped with the node ID", got)
	}
	st := statuses(rep)
	if st["base@linux/arm64"] != executor.StatusFailed {
		t.Errorf("base@linux/arm64: %s", st["base@linux/arm64"])
	}
	// tool blocks until canceled: fail fast must cancel it.
	if st["tool@linux/amd64"] != executor.StatusCanceled {
		t.Errorf("tool: %s, want canceled", st["tool@linux/amd64"])
	}
	for _, id := range []string{"app@linux/arm64", "app#index"} {
		if st[id] == executor.StatusDone {
			t.Errorf("%s ran after its dependency failed", id)
		}
	}
}

func TestRunKeepGoing(t *testing.T) {
	f := &executortest.Fake{Fail: map[string]bool{"base@linux/arm64": true}, Delay: 10 * time.Millisecond}
	e := &executor.Executor{Solver: f, Publisher: f, KeepGoing: true}
	rep, err := e.Run(context.Background(), chainPlan())
	if !errors.Is(err, executortest.ErrFake) {
		t.Fatalf("err = %v", err)
	}
	want := map[string]executor.Status{
		"base@linux/amd64": executor.StatusDone,
		"base@linux/arm64": executor.StatusFailed,
		"app@linux/amd64":  executor.StatusDone,
		"app@linux/arm64":  executor.StatusSkipped,
		"app#index":        executor.StatusSkipped, // nothing of a failed target is published
		"tool@linux/amd64": executor.StatusDone,
	}
	if got := statuses(rep); !mapsEqual(got, want) {
		t.Errorf("statuses = %v, want %v", got, want)
	}
	if f.Attempts("app#index") != 0 {
		t.Error("the merge of a failed target ran")
	}
}

func mapsEqual(a, b map[string]executor.Status) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestRunCancel(t *testing.T) {
	started := make(chan string)
	f := &executortest.Fake{
		Block:   map[string]bool{"base@linux/amd64": true, "base@linux/arm64": true, "tool@linux/amd64": true},
		Started: started,
	}
	e := &executor.Executor{Solver: f, Publisher: f}
	ctx, cancel := context.WithCancel(context.Background())
	var rep *executor.Report
	var err error
	done := make(chan struct{})
	go func() {
		rep, err = e.Run(ctx, chainPlan())
		close(done)
	}()
	for range 3 {
		<-started
	}
	cancel()
	<-done
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	for id, st := range statuses(rep) {
		if st != executor.StatusCanceled {
			t.Errorf("%s: %s, want canceled", id, st)
		}
	}
}

func TestRunParallelBound(t *testing.T) {
	var targets []executortest.PlanTarget
	for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
		targets = append(targets, executortest.PlanTarget{Name: n})
	}
	// Links with a bound of 1 must not deadlock: a dependency gives its
	// slot back once its result is ready.
	targets = append(targets, executortest.PlanTarget{Name: "g", Links: map[string]string{"x": "a"}})
	for _, bound := range []int{1, 2, 3} {
		f := &executortest.Fake{Delay: 5 * time.Millisecond}
		e := &executor.Executor{Solver: f, Publisher: f, Parallel: bound}
		if _, err := e.Run(context.Background(), executortest.NewPlan(targets...)); err != nil {
			t.Fatal(err)
		}
		if f.Peak() > bound {
			t.Errorf("bound %d: %d solves ran at once", bound, f.Peak())
		}
	}
	f := &executortest.Fake{Delay: 20 * time.Millisecond}
	e := &executor.Executor{Solver: f, Publisher: f}
	if _, err := e.Run(context.Background(), executortest.NewPlan(targets[:6]...)); err != nil {
		t.Fatal(err)
	}
	if f.Peak() < 2 {
		t.Errorf("unbounded: peak %d, want independent solves at once", f.Peak())
	}
}

func TestRunRetries(t *testing.T) {
	p := executortest.NewPlan(executortest.PlanTarget{Name: "a"}, executortest.PlanTarget{Name: "b"})
	f := &executortest.Fake{
		Transient: map[string]int{"a@linux/amd64": 2, "b@linux/amd64": 5},
	}
	var mu sync.Mutex
	retries := map[string]int{}
	e := &executor.Executor{Solver: f, Publisher: f, Retries: 3, Backoff: time.Millisecond, KeepGoing: true,
		Events: func(ev executor.Event) {
			if ev.Kind == executor.EventRetry {
				mu.Lock()
				retries[ev.Node.ID]++
				mu.Unlock()
			}
		}}
	rep, err := e.Run(context.Background(), p)
	if err == nil {
		t.Fatal("b should fail after its retries")
	}
	st := statuses(rep)
	if st["a@linux/amd64"] != executor.StatusDone || f.Attempts("a@linux/amd64") != 3 || retries["a@linux/amd64"] != 2 {
		t.Errorf("a: %s after %d attempts", st["a@linux/amd64"], f.Attempts("a@linux/amd64"))
	}
	if st["b@linux/amd64"] != executor.StatusFailed || f.Attempts("b@linux/amd64") != 4 {
		t.Errorf("b: %s after %d attempts, want failed after 4", st["b@linux/amd64"], f.Attempts("b@linux/amd64"))
	}

	// A build error is never retried.
	f = &executortest.Fake{Fail: map[string]bool{"a@linux/amd64": true}}
	e = &executor.Executor{Solver: f, Publisher: f, Retries: 3, Backoff: time.Millisecond}
	if _, err := e.Run(context.Background(), p); err == nil || f.Attempts("a@linux/amd64") != 1 {
		t.Errorf("build error: %v after %d attempts", err, f.Attempts("a@linux/amd64"))
	}
}

func TestRunEvents(t *testing.T) {
	f := &executortest.Fake{Fail: map[string]bool{"tool@linux/amd64": true}}
	var mu sync.Mutex
	finished := map[string]executor.Status{}
	started := 0
	e := &executor.Executor{Solver: f, Publisher: f, KeepGoing: true, Events: func(ev executor.Event) {
		mu.Lock()
		defer mu.Unlock()
		switch ev.Kind {
		case executor.EventStarted:
			started++
		case executor.EventFinished:
			finished[ev.Node.ID] = ev.Report.Status
		}
	}}
	rep, _ := e.Run(context.Background(), chainPlan())
	if !mapsEqual(finished, statuses(rep)) {
		t.Errorf("finished events %v != report %v", finished, statuses(rep))
	}
	if started != len(rep.Nodes) {
		t.Errorf("%d started events for %d nodes", started, len(rep.Nodes))
	}
}

// BenchmarkWalk measures the walk's own cost per node with an instant
// fake solver: 200 targets of 3 platforms, every second one linked.
func BenchmarkWalk(b *testing.B) {
	var targets []executortest.PlanTarget
	plats := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}
	for i := range 200 {
		pt := executortest.PlanTarget{Name: "t" + strconv.Itoa(i), Platforms: plats, Merge: true}
		if i%2 == 1 {
			pt.Links = map[string]string{"dep": "t" + strconv.Itoa(i-1)}
		}
		targets = append(targets, pt)
	}
	p := executortest.NewPlan(targets...)
	b.ResetTimer()
	for range b.N {
		f := &executortest.Fake{}
		e := &executor.Executor{Solver: f, Publisher: f, Parallel: 16}
		if _, err := e.Run(context.Background(), p); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(p.Nodes)), "µs/node")
}
