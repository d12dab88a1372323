package executortest

import (
	"context"
	"fmt"
	"sync"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xbake/xbake/executor"
)

// FakeNodes are the BuildKit nodes of a Fake, for scheduler tests: each
// solve runs on SolveRequest.Builder, and a node can be down (its solves
// and probes fail at once, as a daemon that was killed) or hung (they
// wait, as a stopped daemon; with Deaf, even after their context ended).
// The zero value has every node up.
type FakeNodes struct {
	mu      sync.Mutex
	down    map[string]bool
	hung    map[string]chan struct{}
	deaf    bool
	ran     map[string]string // solve ID -> node of its last attempt
	running map[string]int
	peak    map[string]int
	entered chan string
}

// ErrRefused is what a down fake node answers, as gRPC reports a daemon
// that is not there.
var ErrRefused = status.Error(codes.Unavailable, `connection error: desc = "transport: Error while dialing: dial unix /run/fake.sock: connect: connection refused"`)

// Down makes node refuse everything from now on; its running solves fail.
func (f *FakeNodes) Down(node string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down == nil {
		f.down = map[string]bool{}
	}
	f.down[node] = true
	if ch := f.hung[node]; ch != nil {
		close(ch) // running solves notice now
		delete(f.hung, node)
	}
}

// Hang makes node stop answering: solves and probes wait until their
// context ends. With deaf, solves do not even return then.
func (f *FakeNodes) Hang(node string, deaf bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.hung == nil {
		f.hung = map[string]chan struct{}{}
	}
	if f.hung[node] == nil {
		f.hung[node] = make(chan struct{})
	}
	f.deaf = deaf
}

// Entered, when set before the run, receives "ID on NODE" as each solve
// attempt starts.
func (f *FakeNodes) Entered(ch chan string) { f.entered = ch }

// Probe is node's executor.FarmNode.Probe.
func (f *FakeNodes) Probe(node string) func(context.Context) error {
	return func(ctx context.Context) error {
		f.mu.Lock()
		down, hung := f.down[node], f.hung[node]
		f.mu.Unlock()
		if down {
			return ErrRefused
		}
		if hung != nil {
			<-ctx.Done()
			return ctx.Err()
		}
		return nil
	}
}

// Farm returns FarmNodes for names, each of capacity, probed here.
func (f *FakeNodes) Farm(capacity int, names ...string) []executor.FarmNode {
	var out []executor.FarmNode
	for _, n := range names {
		out = append(out, executor.FarmNode{Name: n, Capacity: capacity, Probe: f.Probe(n)})
	}
	return out
}

// Ran is the node that ran a solve's last attempt.
func (f *FakeNodes) Ran(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ran[id]
}

// Peak is the most solves node ran at once, each from its start to the
// end of its build (Ready).
func (f *FakeNodes) Peak(node string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak[node]
}

// enter starts a solve attempt on its node: it fails at once on a down
// node and waits on a hung one.
func (f *FakeNodes) enter(ctx context.Context, req *executor.SolveRequest) error {
	if f == nil {
		return nil
	}
	node := req.Builder
	f.mu.Lock()
	if f.ran == nil {
		f.ran, f.running, f.peak = map[string]string{}, map[string]int{}, map[string]int{}
	}
	f.ran[req.Node.ID] = node
	down, hung, deaf := f.down[node], f.hung[node], f.deaf
	f.running[node]++
	f.peak[node] = max(f.peak[node], f.running[node])
	f.mu.Unlock()
	if f.entered != nil {
		f.entered <- fmt.Sprintf("%s on %s", req.Node.ID, node)
	}
	switch {
	case down:
		return ErrRefused
	case hung != nil:
		if deaf {
			<-hung
			return ErrRefused
		}
		select {
		case <-hung:
			return ErrRefused
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	return nil
}

func (f *FakeNodes) leave(req *executor.SolveRequest) {
	if f == nil {
		return
	}
	f.mu.Lock()
	f.running[req.Builder]--
	f.mu.Unlock()
}

// check fails a solve whose node went down while it ran.
func (f *FakeNodes) check(req *executor.SolveRequest) error {
	if f == nil {
		return nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.down[req.Builder] {
		return ErrRefused
	}
	return nil
}
