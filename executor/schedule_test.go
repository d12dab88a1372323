package executor_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// wide is n independent single-platform targets.
func wide(n int, plats ...string) *plan.Plan {
	var ts []executortest.PlanTarget
	for i := range n {
		ts = append(ts, executortest.PlanTarget{Name: fmt.Sprintf("t%02d", i), Platforms: plats})
	}
	return executortest.NewPlan(ts...)
}

func equalNodes(capacity int, names ...string) []plan.BuilderNode {
	var out []plan.BuilderNode
	for _, n := range names {
		out = append(out, plan.BuilderNode{Name: n, Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: capacity})
	}
	return out
}

func farmRun(t *testing.T, p *plan.Plan, f *executortest.Fake, nodes []executor.FarmNode, timeout time.Duration, keepGoing bool) (*executor.Report, []executor.Event, error) {
	t.Helper()
	var evs eventLog
	rep, err := runOnFarm(p, &executor.Executor{Solver: f, Publisher: f, KeepGoing: keepGoing, Events: evs.add}, nodes, timeout)
	return rep, evs.list(), err
}

// runOnFarm runs p with e, scheduled over nodes.
func runOnFarm(p *plan.Plan, e *executor.Executor, nodes []executor.FarmNode, timeout time.Duration) (*executor.Report, error) {
	s := executor.NewScheduler(p, nodes, timeout)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s.Watch(ctx)
	defer s.Close()
	e.Scheduler = s
	return e.Run(ctx, p)
}

// Solves go to their home nodes as slots free, never more at once on a
// node than its capacity, and every node works.
func TestScheduleCapacity(t *testing.T) {
	p := wide(18)
	p.Place(equalNodes(2, "a", "b", "c"))
	nodes := &executortest.FakeNodes{}
	// Long enough that a node's first two solves start before the first
	// ends, and that scheduling delays of a loaded machine are small next
	// to it.
	f := &executortest.Fake{Delay: 100 * time.Millisecond, Nodes: nodes}
	rep, _, err := farmRun(t, p, f, nodes.Farm(2, "a", "b", "c"), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"a", "b", "c"} {
		if got := nodes.Peak(n); got != 2 {
			t.Errorf("node %s ran %d solves at once, want 2 (its capacity)", n, got)
		}
	}
	away := 0
	for _, nr := range rep.Nodes {
		if nr.Builder != nodes.Ran(nr.Node.ID) || nr.Exec != plan.ExecNative {
			t.Errorf("%s: report says %s %s, ran on %s", nr.Node.ID, nr.Builder, nr.Exec, nodes.Ran(nr.Node.ID))
		}
		if nr.Builder != nr.Node.Builder {
			away++
		}
	}
	// Equal nodes have equal loads: a node steals only near the end, when
	// it is done and another's queue is still longer than its capacity
	// (timing on a busy machine).
	if away > 3 {
		t.Errorf("%d of 18 solves ran away from their home", away)
	}
}

// A home with more waiting than it can start at once loses work to an
// idle node of the same kind.
func TestScheduleSteals(t *testing.T) {
	p := wide(12)
	// The plan believes a is large: most homes are there.
	p.Place([]plan.BuilderNode{{Name: "a", Native: []string{"linux/amd64"}, Capacity: 5}, {Name: "b", Native: []string{"linux/amd64"}, Capacity: 1}})
	homeB := 0
	for _, n := range p.Nodes {
		if n.Builder == "b" {
			homeB++
		}
	}
	nodes := &executortest.FakeNodes{}
	f := &executortest.Fake{Delay: 20 * time.Millisecond, Nodes: nodes}
	rep, _, err := farmRun(t, p, f, nodes.Farm(2, "a", "b"), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	onB := 0
	for _, nr := range rep.Nodes {
		if nr.Builder == "b" {
			onB++
		}
	}
	if onB <= homeB+1 {
		t.Errorf("b ran %d solves, its home count is %d: it should have taken some of a's backlog", onB, homeB)
	}
}

// A node that dies mid-run: its solves move to the other nodes, the run
// succeeds, and each moved solve says from where and why.
func TestScheduleFailoverDown(t *testing.T) {
	p := wide(9, "linux/amd64", "linux/arm64")
	p.Place([]plan.BuilderNode{
		{Name: "amd1", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: 2},
		{Name: "amd2", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: 2},
		{Name: "arm", Native: []string{"linux/arm64"}, Capacity: 2},
	})
	nodes := &executortest.FakeNodes{}
	entered := make(chan string, 100)
	nodes.Entered(entered)
	f := &executortest.Fake{Delay: 50 * time.Millisecond, Nodes: nodes}
	go func() {
		for e := range entered {
			if strings.HasSuffix(e, " on amd2") {
				nodes.Down("amd2")
			}
		}
	}()
	rep, evs, err := farmRun(t, p, f, nodes.Farm(2, "amd1", "amd2", "arm"), 5*time.Second, false)
	close(entered)
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, nr := range rep.Nodes {
		if nr.Status != executor.StatusDone {
			t.Errorf("%s: %s", nr.Node.ID, nr.Status)
		}
		if nr.Builder == "amd2" {
			t.Errorf("%s finished on the dead node", nr.Node.ID)
		}
		if len(nr.Moves) > 0 {
			moved++
			if m := nr.Moves[0]; m.From != "amd2" || !strings.HasPrefix(m.Reason, "its connection broke (") || !strings.Contains(m.Reason, "connection refused") {
				t.Errorf("%s: move %+v", nr.Node.ID, m)
			}
			if nr.Node.Platform == "linux/amd64" && nr.Builder != "amd1" {
				t.Errorf("%s moved to %s, want the other native node", nr.Node.ID, nr.Builder)
			}
		}
	}
	if moved == 0 || countKind(evs, executor.EventMoved) != moved {
		t.Errorf("%d solves moved, %d move events", moved, countKind(evs, executor.EventMoved))
	}
}

// A node that stops answering (its calls never return, even canceled) is
// lost after the timeout, and its solves finish elsewhere.
func TestScheduleFailoverHung(t *testing.T) {
	p := wide(6)
	p.Place(equalNodes(2, "a", "b"))
	nodes := &executortest.FakeNodes{}
	nodes.Hang("b", true)
	f := &executortest.Fake{Nodes: nodes}
	start := time.Now()
	rep, _, err := farmRun(t, p, f, nodes.Farm(2, "a", "b"), 2*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the run took %s with a 2s node timeout", d)
	}
	moved := 0
	for _, nr := range rep.Nodes {
		if nr.Builder != "a" {
			t.Errorf("%s finished on %s", nr.Node.ID, nr.Builder)
		}
		for _, m := range nr.Moves {
			moved++
			// At least the timeout: more when the probe that decided came late.
			if m.From != "b" || !regexp.MustCompile(`^it has not answered for [2-9]s `).MatchString(m.Reason) {
				t.Errorf("%s: move %+v", nr.Node.ID, m)
			}
		}
	}
	// b took as many as its capacity before it hung; those moved.
	if moved != 2 {
		t.Errorf("%d solves moved, want 2", moved)
	}
}

// A node that stops answering is lost once it has been silent for the
// timeout, not a whole health question later: the question asked just
// before the deadline is cut short at it (with 3s, one question runs
// from 1s to 2.5s, and the next would run to 4s).
func TestScheduleLostAtTimeout(t *testing.T) {
	p := wide(4)
	p.Place(equalNodes(2, "a", "b"))
	nodes := &executortest.FakeNodes{}
	nodes.Hang("b", true)
	f := &executortest.Fake{Nodes: nodes}
	rep, _, err := farmRun(t, p, f, nodes.Farm(2, "a", "b"), 3*time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	moved := 0
	for _, nr := range rep.Nodes {
		for _, m := range nr.Moves {
			moved++
			if m.From != "b" || !strings.HasPrefix(m.Reason, "it has not answered for 3s ") {
				t.Errorf("%s: move %+v", nr.Node.ID, m)
			}
		}
	}
	if moved == 0 {
		t.Error("nothing moved off the hung node")
	}
}

// With the shortest node timeout (1s, what --node-timeout allows), the
// question asked at the deadline still has time to be answered: a node
// that answers in 100ms is not lost.
func TestScheduleShortTimeoutHealthy(t *testing.T) {
	p := wide(2)
	p.Place(equalNodes(1, "a"))
	f := &executortest.Fake{Delay: 700 * time.Millisecond, Nodes: &executortest.FakeNodes{}}
	probe := func(ctx context.Context) error {
		select {
		case <-time.After(100 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	rep, _, err := farmRun(t, p, f, []executor.FarmNode{{Name: "a", Capacity: 1, Probe: probe}}, time.Second, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range rep.Nodes {
		if len(nr.Moves) > 0 {
			t.Errorf("%s moved: %+v", nr.Node.ID, nr.Moves)
		}
	}
}

// On a rerun whose solves all come from the home node's cache, no solve
// is emulated elsewhere: the emulated run is estimated from solves that
// built (the other node has not the cache), and none did, so waiting for
// the home wins and the cache stays where it is.
func TestScheduleKeepsCachedWorkHome(t *testing.T) {
	p := wide(12, "linux/arm64")
	p.Place([]plan.BuilderNode{
		{Name: "amd", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: 4},
		{Name: "arm", Native: []string{"linux/arm64"}, Capacity: 1},
	})
	now := time.Now()
	progress := map[string][]*client.SolveStatus{}
	for _, n := range p.Nodes {
		progress[n.ID] = []*client.SolveStatus{{Vertexes: []*client.Vertex{{
			Digest: digest.FromString(n.ID), Inputs: []digest.Digest{digest.FromString("base")},
			Name: "[2/2] RUN make", Cached: true, Completed: &now,
		}}}}
	}
	f := &executortest.Fake{Delay: 30 * time.Millisecond, Nodes: &executortest.FakeNodes{}, Progress: progress}
	rep, _, err := farmRun(t, p, f, []executor.FarmNode{{Name: "amd", Capacity: 4}, {Name: "arm", Capacity: 1}}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range rep.Nodes {
		if nr.Builder != "arm" || nr.Status != executor.StatusCached {
			t.Errorf("%s: %s on %s, want cached on arm", nr.Node.ID, nr.Status, nr.Builder)
		}
	}
}

// A platform no live node can run fails; the rest of the run goes on.
func TestScheduleNoNodeLeft(t *testing.T) {
	p := wide(2, "linux/amd64", "linux/arm64")
	p.Place([]plan.BuilderNode{
		{Name: "amd", Native: []string{"linux/amd64"}, Capacity: 2},
		{Name: "arm", Native: []string{"linux/arm64"}, Capacity: 2},
	})
	nodes := &executortest.FakeNodes{}
	nodes.Down("arm")
	f := &executortest.Fake{Nodes: nodes}
	rep, _, err := farmRun(t, p, f, nodes.Farm(2, "amd", "arm"), 5*time.Second, true)
	if err == nil || !strings.Contains(err.Error(), "no builder node left that can run linux/arm64 (arm: ") {
		t.Fatalf("err = %v", err)
	}
	for _, nr := range rep.Nodes {
		want := executor.StatusDone
		if nr.Node.Platform == "linux/arm64" {
			want = executor.StatusFailed
		}
		if nr.Status != want {
			t.Errorf("%s: %s, want %s", nr.Node.ID, nr.Status, want)
		}
	}
}

// Canceling the run ends it promptly even when a node's calls never
// return.
func TestScheduleCancelHung(t *testing.T) {
	p := wide(4)
	p.Place(equalNodes(2, "a"))
	nodes := &executortest.FakeNodes{}
	nodes.Hang("a", true)
	f := &executortest.Fake{Nodes: nodes}
	s := executor.NewScheduler(p, nodes.Farm(2, "a"), time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	s.Watch(ctx)
	defer s.Close()
	e := &executor.Executor{Solver: f, Publisher: f, Scheduler: s}
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	rep, err := e.Run(ctx, p)
	if err == nil {
		t.Fatal("no error")
	}
	// The walk abandons a call that does not return a second after the
	// cancel; 5 s is what a signal allows, generous on a loaded machine.
	if d := time.Since(start) - 200*time.Millisecond; d > 5*time.Second {
		t.Errorf("Run returned %s after the cancel", d)
	}
	for _, nr := range rep.Nodes {
		if nr.Status != executor.StatusCanceled {
			t.Errorf("%s: %s", nr.Node.ID, nr.Status)
		}
	}
}

// With no native node alive for a platform, an emulating node takes it;
// while a native node is alive, solves wait for it (nothing to estimate
// an emulated run from yet).
func TestScheduleNativeFirst(t *testing.T) {
	p := wide(4, "linux/arm64")
	p.Place([]plan.BuilderNode{
		{Name: "amd", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: 4},
		{Name: "arm", Native: []string{"linux/arm64"}, Capacity: 1},
	})
	nodes := &executortest.FakeNodes{}
	f := &executortest.Fake{Nodes: nodes}
	rep, _, err := farmRun(t, p, f, nodes.Farm(0, "amd", "arm"), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range rep.Nodes {
		if nr.Builder != "arm" || nr.Exec != plan.ExecNative {
			t.Errorf("%s ran on %s (%s)", nr.Node.ID, nr.Builder, nr.Exec)
		}
	}
	nodes = &executortest.FakeNodes{}
	nodes.Down("arm")
	f = &executortest.Fake{Nodes: nodes}
	rep, _, err = farmRun(t, p, f, nodes.Farm(0, "amd", "arm"), 0, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, nr := range rep.Nodes {
		if nr.Builder != "amd" || nr.Exec != plan.ExecEmulated {
			t.Errorf("%s ran on %s (%s), want amd emulated", nr.Node.ID, nr.Builder, nr.Exec)
		}
	}
}

func countKind(evs []executor.Event, k executor.EventKind) int {
	n := 0
	for _, e := range evs {
		if e.Kind == k {
			n++
		}
	}
	return n
}

type eventLog struct {
	mu  sync.Mutex
	evs []executor.Event
}

func (l *eventLog) add(e executor.Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.evs = append(l.evs, e)
}

func (l *eventLog) list() []executor.Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.evs)
}

// Once the run knows how long a native solve takes, a solve whose wait
// for a native slot would be longer than the emulated run (four native
// ones) goes to an emulating node instead.
func TestScheduleEmulatesRatherThanWait(t *testing.T) {
	p := wide(12, "linux/arm64")
	p.Place([]plan.BuilderNode{
		{Name: "amd", Native: []string{"linux/amd64"}, Emulated: []string{"linux/arm64"}, Capacity: 4},
		{Name: "arm", Native: []string{"linux/arm64"}, Capacity: 1},
	})
	nodes := &executortest.FakeNodes{}
	f := &executortest.Fake{Delay: 30 * time.Millisecond, Nodes: nodes}
	rep, _, err := farmRun(t, p, f, []executor.FarmNode{{Name: "amd", Capacity: 4}, {Name: "arm", Capacity: 1}}, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	emulated := 0
	for _, nr := range rep.Nodes {
		if nr.Builder == "amd" {
			emulated++
			if nr.Exec != plan.ExecEmulated {
				t.Errorf("%s on amd: %s", nr.Node.ID, nr.Exec)
			}
		}
	}
	// 12 solves on one native slot: 11 would wait; once a native run is
	// known, those with more than 4 rounds ahead are emulated.
	if emulated == 0 || emulated > 8 {
		t.Errorf("%d of 12 solves emulated; want some, not most", emulated)
	}
}
