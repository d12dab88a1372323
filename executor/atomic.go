package executor

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/xbake/xbake/plan"
)

// AtomicGate is the Publisher of an --atomic run: it holds every merge
// node until every solve of the run has ended, then lets them publish
// only if all of them succeeded. Solves push their images by digest only
// (plan.Request.Atomic gives every pushed target a merge node), so no tag
// of any target moves unless the whole run built; the merge nodes then
// publish one after another as usual, each with its own errors.
//
// The gate learns how solves end from the executor's events: wrap the
// run's Events callback with Events. Merges wait on no slot of the
// parallelism bound, so holding them never stalls a solve; the walk waits
// for the gate before a merge node starts (hold), so that the wait does
// not count in the merge's duration.
type AtomicGate struct {
	Publisher Publisher

	mu      sync.Mutex
	pending map[string]bool // solves not yet ended
	failed  []string        // solves that ended without a result
	open    chan struct{}   // closed when pending is empty
}

var _ Publisher = (*AtomicGate)(nil)

// NewAtomicGate returns a gate over pub for the solves of p.
func NewAtomicGate(p *plan.Plan, pub Publisher) *AtomicGate {
	g := &AtomicGate{Publisher: pub, pending: map[string]bool{}, open: make(chan struct{})}
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve {
			g.pending[n.ID] = true
		}
	}
	if len(g.pending) == 0 {
		close(g.open)
	}
	return g
}

// Events returns next, also telling the gate how each solve ended.
func (g *AtomicGate) Events(next func(Event)) func(Event) {
	return func(ev Event) {
		if ev.Kind == EventFinished && ev.Node.Kind == plan.KindSolve {
			g.ended(ev.Node.ID, ev.Report)
		}
		if next != nil {
			next(ev)
		}
	}
}

func (g *AtomicGate) ended(id string, rep *NodeReport) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.pending[id] {
		return
	}
	delete(g.pending, id)
	if rep == nil || !rep.Status.Succeeded() {
		g.failed = append(g.failed, id)
	}
	if len(g.pending) == 0 {
		close(g.open)
	}
}

// Merge implements Publisher: it waits for the gate, then publishes n, or
// refuses to when a solve of the run did not succeed.
func (g *AtomicGate) Merge(ctx context.Context, n *plan.Node, parts []*Result) (*Result, error) {
	if err := g.hold(ctx); err != nil {
		return nil, err
	}
	g.mu.Lock()
	failed := slices.Sorted(slices.Values(g.failed))
	g.mu.Unlock()
	if len(failed) > 0 {
		return nil, fmt.Errorf("not published (--atomic): %s did not succeed, so no tag of the run was written", strings.Join(failed, ", "))
	}
	return g.Publisher.Merge(ctx, n, parts)
}

// holder is a Publisher that holds merge nodes back until it lets them
// start (AtomicGate).
type holder interface {
	hold(ctx context.Context) error
}

// hold waits until every solve of the run has ended.
func (g *AtomicGate) hold(ctx context.Context) error {
	select {
	case <-g.open:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
