package executor

import (
	"sync"
	"time"

	"github.com/xbake/xbake/plan"
)

// Handing results over. A solve's result goes to its dependents as soon
// as its build is evaluated (ready), while the build is held open, and
// the solve is released, to export, once every dependent has evaluated
// its own build (see SolveRequest). A solve moved to another node after
// it was ready republishes its result there. Merges read finished
// results (done).

// nodeState is the walk's per-node bookkeeping. Channels order the
// writes: ready is closed after readyRes is set, done after report.
type nodeState struct {
	ready    chan struct{}
	readyRes *Result
	done     chan struct{}
	report   *NodeReport

	readyOnce sync.Once
	readyMu   sync.Mutex    // guards readyRes after ready is closed
	readyGen  chan struct{} // closed when a moved solve replaces readyRes
	evalOnce  sync.Once
	release   chan struct{}
	// Guarded by walk.mu: the dependents that have not evaluated yet;
	// when the solve handed its result over, and when the last dependent
	// had evaluated it.
	waiters             int
	readyAt, releasedAt time.Time
}

// linkResults orders deps by n.Solve.Links (deps are in n.Deps order).
func linkResults(n *plan.Node, deps []*Result) []*Result {
	if n.Solve == nil {
		return nil
	}
	out := make([]*Result, len(n.Solve.Links))
	for k, l := range n.Solve.Links {
		for j, d := range n.Deps {
			if d == l.Node {
				out[k] = deps[j]
			}
		}
	}
	return out
}

// mergeParts orders deps (n.Deps order, sorted by ID) by n.Merge.Solves,
// which is the platform order the author wrote: the index keeps it.
func mergeParts(n *plan.Node, deps []*Result) []*Result {
	out := make([]*Result, len(n.Merge.Solves))
	for k, id := range n.Merge.Solves {
		for j, d := range n.Deps {
			if d == id {
				out[k] = deps[j]
			}
		}
	}
	return out
}

// markReady publishes r to dependents once; nil marks "never".
func (s *nodeState) markReady(r *Result) {
	s.readyOnce.Do(func() {
		s.readyRes = r
		s.readyGen = make(chan struct{})
		close(s.ready)
	})
}

// republish replaces the published result with that of a solve that was
// moved to another node after it had been ready: dependents that start
// after it (see currentLinks) read the new one.
func (s *nodeState) republish(r *Result) {
	select {
	case <-s.ready:
	default:
		return
	}
	s.readyMu.Lock()
	defer s.readyMu.Unlock()
	if s.readyRes != nil && r != nil && s.readyRes != r {
		s.readyRes = r
		close(s.readyGen)
		s.readyGen = make(chan struct{})
	}
}

// result is the solve's current ready result, and a channel closed when
// a newer one replaces it.
func (s *nodeState) result() (*Result, <-chan struct{}) {
	s.readyMu.Lock()
	defer s.readyMu.Unlock()
	return s.readyRes, s.readyGen
}

// evaluated tells n's dependencies, once, that one more dependent has
// read their results (or ended, or never will): the last one releases
// them, so that they export while their dependents go on.
func (w *walk) evaluated(n *plan.Node, s *nodeState) {
	if n.Kind != plan.KindSolve {
		return
	}
	s.evalOnce.Do(func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		for _, d := range n.Deps {
			ds := w.states[w.index[d]]
			ds.waiters--
			if ds.waiters == 0 {
				ds.releasedAt = time.Now()
				close(ds.release)
			}
		}
	})
}
