package executor

import (
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/plan"
)

// abandonGrace is how long a solve whose node was lost, or whose run was
// canceled, may take to return before the walk stops waiting for it: a
// client call to a node that stopped answering may never return. Its
// goroutine is left behind; nothing it does afterwards reaches the walk.
const abandonGrace = time.Second

// solveOn runs one attempt of a solve: on the node the scheduler gives,
// bounded in time once its context ends, and turned into a
// *NodeLostError when its node was lost.
func (w *walk) solveOn(ctx context.Context, req *SolveRequest, rep *NodeReport) (*Result, error) {
	sch := w.e.Scheduler
	if sch == nil {
		return w.e.Solver.Solve(ctx, req)
	}
	t, err := sch.acquire(ctx, req.Node)
	if err != nil {
		return nil, err
	}
	defer t.done()
	req.Builder = t.node.Name
	rep.Builder, rep.Exec = t.node.Name, t.exec
	w.emit(Event{Kind: EventPlaced, Node: req.Node, Builder: t.node.Name})

	// Once abandoned, the attempt's callbacks reach nothing.
	var abandoned atomic.Bool
	progress, ready, evaluated := req.Progress, req.Ready, req.Evaluated
	req.Progress = func(b string, st *client.SolveStatus) {
		if !abandoned.Load() && progress != nil {
			progress(b, st)
		}
	}
	req.Ready = func(r *Result) {
		if abandoned.Load() {
			return
		}
		// The build is over: the node may take more.
		t.release(true, w.vertices.allCached(w.index[req.Node.ID]))
		if ready != nil {
			ready(r)
		}
	}
	req.Evaluated = func() {
		if !abandoned.Load() && evaluated != nil {
			evaluated()
		}
	}

	type outcome struct {
		res *Result
		err error
	}
	ch := make(chan outcome, 1)
	go func() {
		var o outcome
		defer func() { ch <- o }()
		defer recoverAs(req.Node.ID, &o.err)
		o.res, o.err = w.e.Solver.Solve(t.ctx, req)
	}()
	var o outcome
	select {
	case o = <-ch:
	case <-t.ctx.Done():
		timer := time.NewTimer(abandonGrace)
		select {
		case o = <-ch:
		case <-timer.C:
			abandoned.Store(true)
			o = outcome{nil, context.Cause(t.ctx)}
		}
		timer.Stop()
	}
	t.release(o.err == nil, w.vertices.allCached(w.index[req.Node.ID]))
	if o.err != nil && ctx.Err() == nil {
		if lost := sch.suspect(t, o.err); lost != nil {
			return nil, lost
		}
	}
	return o.res, o.err
}

// currentLinks are the results n's links read now: a dependency that was
// moved to another node after it had been ready publishes a new result
// (nodeState.republish); a result on a lost node is waited out until the
// dependency's new one arrives, or fails when the dependency is over.
func (w *walk) currentLinks(ctx context.Context, n *plan.Node, deps []*Result) ([]*Result, error) {
	sch := w.e.Scheduler
	if sch == nil || n.Kind != plan.KindSolve {
		return deps, nil
	}
	out := make([]*Result, len(deps))
	for k, d := range n.Deps {
		ds := w.states[w.index[d]]
		for {
			res, newer := ds.result()
			if res == nil {
				res = deps[k]
			}
			out[k] = res
			lost := sch.isLost(res.Builder)
			if lost == nil {
				break
			}
			select {
			case <-newer:
				continue
			case <-ds.done:
				if r, _ := ds.result(); r != res {
					continue
				}
				return nil, fmt.Errorf("the result of %s was on builder node %s, which was lost after %s finished: run again", d, res.Builder, d)
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
	}
	return out, nil
}
