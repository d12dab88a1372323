package executor

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/xbake/xbake/plan"
)

// Executor runs a plan: each node starts once its dependencies are done,
// solves share an optional bound, and results flow from dependencies to
// dependents and from solves to merges.
type Executor struct {
	Solver    Solver
	Publisher Publisher
	// Parallel bounds the solves that run at once; 0 means no bound (as
	// buildx: BuildKit's own max-parallelism is the throttle).
	Parallel int
	// KeepGoing lets independent nodes go on after a failure; by default
	// the first failure cancels the rest.
	KeepGoing bool
	// Retries is how many times a solve that failed with a transient
	// error (see IsTransient) runs again; Backoff is the first pause
	// (default 1s), doubled each time with jitter, at most 8s, as the
	// registry client pauses. Merge nodes rely on the registry client's
	// own retries.
	Retries int
	Backoff time.Duration
	// Events receives what happens, from several goroutines at once; it
	// must be safe for concurrent use. Optional.
	Events func(Event)
	// Scheduler, when set, chooses the node of every solve attempt
	// (SolveRequest.Builder) and moves the solves of a lost node to
	// another one (schedule.go). Without it the solver chooses.
	Scheduler *Scheduler
}

// Run walks p and returns a report with one entry per node, in plan order.
// The error is nil when every node is done; else it is the first failure
// (fail fast), a join of all failures (KeepGoing), or the context's error.
func (e *Executor) Run(ctx context.Context, p *plan.Plan) (*Report, error) {
	index := make(map[string]int, len(p.Nodes))
	for i, n := range p.Nodes {
		index[n.ID] = i
	}
	states := make([]*nodeState, len(p.Nodes))
	for i := range p.Nodes {
		states[i] = &nodeState{ready: make(chan struct{}), done: make(chan struct{}), release: make(chan struct{})}
	}
	for _, n := range p.Nodes {
		for _, d := range n.Deps {
			j, ok := index[d]
			if !ok {
				return nil, fmt.Errorf("%s: unknown dependency %q", n.ID, d)
			}
			// Only solves read a dependency's held result; merges wait for
			// their solves to end.
			if n.Kind == plan.KindSolve {
				states[j].waiters++
			}
		}
	}
	for _, s := range states {
		if s.waiters == 0 {
			close(s.release)
		}
	}

	w := &walk{e: e, plan: p, index: index, states: states, vertices: newVertexBook(ancestors(p, index))}
	if e.Parallel > 0 {
		w.sem = semaphore.NewWeighted(int64(e.Parallel))
	}
	eg, gctx := errgroup.WithContext(ctx)
	w.gctx = gctx
	for i := range p.Nodes {
		eg.Go(func() error { return w.runNode(i) })
	}
	err := eg.Wait()

	rep := &Report{Nodes: make([]*NodeReport, len(p.Nodes))}
	var errs []error
	for i, s := range states {
		rep.Nodes[i] = s.report
		if s.report.Status == StatusFailed {
			errs = append(errs, s.report.Err)
		}
	}
	switch {
	case ctx.Err() != nil:
		return rep, context.Cause(ctx)
	case err != nil:
		return rep, err
	default:
		return rep, errors.Join(errs...)
	}
}

type walk struct {
	e      *Executor
	plan   *plan.Plan
	index  map[string]int
	states []*nodeState
	sem    *semaphore.Weighted
	gctx   context.Context
	mu     sync.Mutex // guards nodeState.waiters, readyAt and releasedAt

	vertices *vertexBook
}

// runNode is one node's goroutine. It returns an error only to cancel
// the others (fail fast).
func (w *walk) runNode(i int) (err error) {
	n, s := w.plan.Nodes[i], w.states[i]
	ctx := w.gctx
	rep := &NodeReport{Node: n}
	defer func() {
		if r := recover(); r != nil {
			// A bug in xbake, not in the build: the node fails with a
			// short report, and the other nodes end (and clean up) as
			// after any failure, instead of the process crashing.
			rep.Status, rep.Err = StatusFailed, panicError(n.ID, r)
			if !w.e.KeepGoing {
				err = rep.Err
			}
		}
		s.report = rep
		s.markReady(nil)
		close(s.done)
		w.evaluated(n, s)
		w.emit(Event{Kind: EventFinished, Node: n, Report: rep})
	}()

	if res, ok := unchanged(n); ok {
		rep.Status, rep.Result = StatusUnchanged, res
		return nil
	}
	deps, status := w.waitDeps(ctx, n)
	if status != "" {
		rep.Status = status
		return nil
	}
	if n.Kind == plan.KindSolve && w.sem != nil {
		if err := w.sem.Acquire(ctx, 1); err != nil {
			rep.Status = StatusCanceled
			return nil
		}
	}
	if h, ok := w.e.Publisher.(holder); ok && n.Kind == plan.KindMerge {
		// Held back (--atomic): the wait is not the merge's own time.
		if err := h.hold(ctx); err != nil {
			rep.Status = StatusCanceled
			return nil
		}
	}
	rep.Started = time.Now()
	w.emit(Event{Kind: EventStarted, Node: n})
	res, err := w.attempt(ctx, n, s, deps, rep)
	w.timeAndCount(i, s, rep, time.Now())
	switch {
	case err == nil:
		rep.Status, rep.Result = StatusDone, res
		if rep.Steps > 0 && rep.Cached == rep.Steps {
			rep.Status = StatusCached
		}
		if reused(n) {
			rep.Status = StatusUnchanged
		}
		return nil
	case ctx.Err() != nil:
		// Another node failed first, or the user interrupted: this node's
		// error is a consequence, not a cause.
		rep.Status = StatusCanceled
		return nil
	default:
		rep.Status, rep.Err = StatusFailed, fmt.Errorf("%s: %w", n.ID, err)
		if pe, ok := err.(*PanicError); ok {
			rep.Err = pe // it names the node already
		}
		if w.e.KeepGoing {
			return nil
		}
		return rep.Err
	}
}

// waitDeps waits for n's dependencies: a solve needs its links' results
// (ready), a merge needs its solves finished (done). It returns the
// dependencies' results in n.Deps order, or the status n ends with when
// it cannot run.
func (w *walk) waitDeps(ctx context.Context, n *plan.Node) ([]*Result, Status) {
	res := make([]*Result, len(n.Deps))
	for k, d := range n.Deps {
		ds := w.states[w.index[d]]
		ch := ds.done
		if n.Kind == plan.KindSolve {
			ch = ds.ready
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, w.cancelStatus(n)
		}
		if n.Kind == plan.KindSolve {
			res[k], _ = ds.result()
		} else if ds.report.Status.Succeeded() {
			res[k] = ds.report.Result
		}
		if res[k] == nil {
			if ctx.Err() != nil {
				return nil, w.cancelStatus(n)
			}
			return nil, StatusSkipped
		}
	}
	return res, ""
}

// cancelStatus is how a node that never ran ends when the run stops: a
// node with a failed (or skipped) dependency is skipped, whatever else
// happened; the others are canceled.
func (w *walk) cancelStatus(n *plan.Node) Status {
	for _, d := range n.Deps {
		ds := w.states[w.index[d]]
		select {
		case <-ds.done:
			if st := ds.report.Status; st == StatusFailed || st == StatusSkipped {
				return StatusSkipped
			}
		default:
		}
	}
	return StatusCanceled
}

// attempt runs n, again after transient errors.
func (w *walk) attempt(ctx context.Context, n *plan.Node, s *nodeState, deps []*Result, rep *NodeReport) (*Result, error) {
	backoff := solveBackoff(w.e.Backoff)
	sl := &slot{sem: w.sem}
	if n.Kind == plan.KindSolve {
		sl.held = w.sem != nil // runNode acquired it
	}
	defer sl.release()
	for try := 0; ; try++ {
		res, err := w.once(ctx, n, s, deps, sl, rep)
		var lost *NodeLostError
		if errors.As(err, &lost) && ctx.Err() == nil {
			// Not a retry: the solve starts again on another node (the
			// lost one takes no more work, so this ends).
			rep.Moves = append(rep.Moves, Move{From: lost.Node, Reason: lost.Reason.Error()})
			w.emit(Event{Kind: EventMoved, Node: n, Err: lost})
			if aerr := sl.acquire(ctx); aerr != nil {
				return nil, err
			}
			continue
		}
		// Merges are not retried here: the registry client retries each
		// of its calls already, and retrying both would multiply delays.
		if err == nil || n.Kind != plan.KindSolve || try >= w.e.Retries || !IsTransient(err) || ctx.Err() != nil {
			return res, err
		}
		w.emit(Event{Kind: EventRetry, Node: n, Err: err})
		t := time.NewTimer(backoff.Delay(try))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, err
		}
		if n.Kind == plan.KindSolve {
			if aerr := sl.acquire(ctx); aerr != nil {
				return nil, err
			}
		}
	}
}

// slot is a solve's hold on the parallelism bound, given back early when
// the solve's build is over (see SolveRequest.Ready).
type slot struct {
	sem  *semaphore.Weighted
	mu   sync.Mutex
	held bool
}

func (s *slot) acquire(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sem == nil || s.held {
		return nil
	}
	if err := s.sem.Acquire(ctx, 1); err != nil {
		return err
	}
	s.held = true
	return nil
}

func (s *slot) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held {
		s.sem.Release(1)
		s.held = false
	}
}

func (w *walk) once(ctx context.Context, n *plan.Node, s *nodeState, deps []*Result, sl *slot, rep *NodeReport) (*Result, error) {
	if n.Kind == plan.KindMerge {
		if w.e.Publisher == nil {
			return nil, errors.New("no publisher configured for merge nodes")
		}
		return w.e.Publisher.Merge(ctx, n, mergeParts(n, deps))
	}
	i := w.index[n.ID]
	deps, err := w.currentLinks(ctx, n, deps)
	if err != nil {
		return nil, err
	}
	req := &SolveRequest{
		Node:    n,
		Links:   linkResults(n, deps),
		Release: s.release,
		Progress: func(builder string, st *client.SolveStatus) {
			if own := w.vertices.report(i, builder, st, time.Now()); own != nil {
				w.emit(Event{Kind: EventProgress, Node: n, Status: own, Builder: builder})
			}
		},
		Evaluated: func() { w.evaluated(n, s) },
		Ready: func(r *Result) {
			// The solve's build is over; only its export is left, and that
			// waits for dependents, which need slots: give ours back or a
			// bound of 1 would deadlock.
			sl.release()
			w.mu.Lock()
			if s.readyAt.IsZero() {
				s.readyAt = time.Now()
			}
			w.mu.Unlock()
			if len(rep.Moves) > 0 {
				s.republish(r)
			}
			s.markReady(r)
		},
	}
	res, err := w.solveOn(ctx, req, rep)
	if err == nil {
		s.markReady(res)
	}
	return res, err
}

// timeAndCount fills in rep's own time and step counts once node i has
// ended at end. A solve's time starts at its first own vertex and leaves
// out the time its finished build was held for dependents (readyAt to
// releasedAt); a merge's is its whole run.
func (w *walk) timeAndCount(i int, s *nodeState, rep *NodeReport, end time.Time) {
	first, steps, cached := w.vertices.end(i)
	if w.plan.Nodes[i].Kind != plan.KindSolve {
		rep.Duration = end.Sub(rep.Started)
		return
	}
	rep.Steps, rep.Cached = steps, cached
	if !first.IsZero() {
		rep.Started = first
	}
	rep.Duration = end.Sub(rep.Started)
	w.mu.Lock()
	ready, released := s.readyAt, s.releasedAt
	w.mu.Unlock()
	if !ready.IsZero() && released.After(ready) {
		rep.Duration -= released.Sub(ready)
	}
}

func (w *walk) emit(ev Event) {
	if w.e.Events != nil {
		w.e.Events(ev)
	}
}
