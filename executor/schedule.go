package executor

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/xbake/xbake/plan"
)

// FarmNode is one node of a run as the scheduler sees it.
type FarmNode struct {
	Name string
	// Capacity is how many solves the node runs at once (at least 1).
	Capacity int
	// Probe asks the node whether it is alive; it must return when ctx
	// ends. Nil means never asked (the node is taken to be alive until a
	// solve on it says otherwise... and then it is lost).
	Probe func(ctx context.Context) error
}

// DefaultCapacity is a node's capacity when the configuration does not
// say (BuildKit does not report its max-parallelism): buildkitd runs as
// many steps as it is given, as with buildx, which sends every solve at
// once; the bound only keeps a large run from piling onto its home nodes
// while another node has nothing to do.
const DefaultCapacity = 16

// DefaultNodeTimeout is how long a node may not answer before it is lost.
const DefaultNodeTimeout = 30 * time.Second

// emulationSlowdown is how much longer a solve takes under QEMU than
// natively, for the choice between waiting for a native slot and
// emulating at once (measured here: a Go build, 118 s emulated, 30 s
// cross-compiled). Cross-compiled solves run at about native speed.
const emulationSlowdown = 4

// Scheduler sends ready solves to nodes as their capacity frees: a
// solve's home node (plan.Node.Builder) when it has a free slot; another
// node of the same kind (native, cross-compiling, emulating) that has
// nothing of its own waiting when the home's backlog exceeds its
// capacity; an emulating node at once when no native node can run the
// platform, or when the wait for a native slot would be longer than the
// emulated run (estimated from the run's native solves that built so far:
// the other node has not the home's cache). A node that is lost
// (health.go) takes no more work, its running solves are canceled, and
// the walk moves them to the next candidate. The order of candidates is
// the plan's (plan.Plan.Candidates).
type Scheduler struct {
	plan    *plan.Plan
	nodes   map[string]*farmNode
	order   []*farmNode
	timeout time.Duration

	mu      sync.Mutex
	changed chan struct{} // closed and replaced on every change
	// Durations of finished solves by how they ran, for estimates: all
	// of them, and those that built (not every step from the cache).
	sum, builtSum     map[plan.Exec]time.Duration
	count, builtCount map[plan.Exec]int

	stop context.CancelFunc
	wg   sync.WaitGroup
}

type farmNode struct {
	FarmNode
	running int
	backlog int   // solves waiting whose first live candidate this is
	lost    error // why the node was lost; nil while it is alive
	tickets map[*ticket]struct{}
	lastOK  time.Time
}

// ticket is one solve's slot on a node.
type ticket struct {
	s      *Scheduler
	node   *farmNode
	exec   plan.Exec
	ctx    context.Context
	cancel context.CancelCauseFunc
	start  time.Time
	once   sync.Once
}

// NodeLostError is the error of a solve whose node was lost while it
// ran: the walk moves the solve to another node.
type NodeLostError struct {
	Node   string
	Reason error
}

func (e *NodeLostError) Error() string {
	return fmt.Sprintf("builder node %s was lost: %v", e.Node, e.Reason)
}

func (e *NodeLostError) Unwrap() error { return e.Reason }

// NewScheduler schedules the solves of p over nodes. p's solves must
// have been placed on nodes (plan.Request.Nodes, or p.Place); a plan
// without builders is placed here, every node taken to run every
// platform natively. A node that does not answer for timeout (0:
// DefaultNodeTimeout) is lost; Close stops the health checks.
func NewScheduler(p *plan.Plan, nodes []FarmNode, timeout time.Duration) *Scheduler {
	if timeout <= 0 {
		timeout = DefaultNodeTimeout
	}
	s := &Scheduler{plan: p, nodes: map[string]*farmNode{}, timeout: timeout, changed: make(chan struct{}),
		sum: map[plan.Exec]time.Duration{}, count: map[plan.Exec]int{},
		builtSum: map[plan.Exec]time.Duration{}, builtCount: map[plan.Exec]int{}}
	for _, n := range nodes {
		if n.Capacity < 1 {
			n.Capacity = DefaultCapacity
		}
		fn := &farmNode{FarmNode: n, tickets: map[*ticket]struct{}{}, lastOK: time.Now()}
		s.nodes[n.Name] = fn
		s.order = append(s.order, fn)
	}
	if len(p.Builders) == 0 {
		var bn []plan.BuilderNode
		for _, n := range nodes {
			bn = append(bn, plan.BuilderNode{Name: n.Name, Native: allPlatforms(p), Capacity: n.Capacity})
		}
		p.Place(bn)
	}
	return s
}

func allPlatforms(p *plan.Plan) []string {
	var out []string
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve && !slices.Contains(out, n.Platform) {
			out = append(out, n.Platform)
		}
	}
	return out
}

// broadcast wakes every waiting solve; s.mu must be held.
func (s *Scheduler) broadcast() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// acquire waits for a node that can run n and takes a slot on it. It
// fails when no live node can run n's platform.
func (s *Scheduler) acquire(ctx context.Context, n *plan.Node) (*ticket, error) {
	cands := s.plan.Candidates(n)
	var waitingOn *farmNode
	defer func() {
		if waitingOn != nil {
			s.mu.Lock()
			waitingOn.backlog--
			s.mu.Unlock()
		}
	}()
	for {
		s.mu.Lock()
		live := s.live(cands)
		if len(live) == 0 {
			err := s.noNode(n, cands)
			s.mu.Unlock()
			return nil, err
		}
		home := s.nodes[live[0].Node]
		if waitingOn != home {
			if waitingOn != nil {
				waitingOn.backlog--
			}
			home.backlog++
			waitingOn = home
		}
		if c, ok := s.pick(live); ok {
			fn := s.nodes[c.Node]
			fn.running++
			tctx, cancel := context.WithCancelCause(ctx)
			t := &ticket{s: s, node: fn, exec: c.Exec, ctx: tctx, cancel: cancel, start: time.Now()}
			fn.tickets[t] = struct{}{}
			s.mu.Unlock()
			return t, nil
		}
		ch := s.changed
		s.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
}

// live filters cands to the nodes that are not lost; s.mu held.
func (s *Scheduler) live(cands []plan.Candidate) []plan.Candidate {
	var out []plan.Candidate
	for _, c := range cands {
		if fn := s.nodes[c.Node]; fn != nil && fn.lost == nil {
			out = append(out, c)
		}
	}
	return out
}

// pick chooses among live candidates (best first, live[0] the home) the
// node to run on now, if any; s.mu held. The solve counts in the home's
// backlog.
func (s *Scheduler) pick(live []plan.Candidate) (plan.Candidate, bool) {
	home := s.nodes[live[0].Node]
	if home.running < home.Capacity {
		return live[0], true
	}
	best := live[0].Exec
	for _, c := range live[1:] {
		fn := s.nodes[c.Node]
		if fn.running >= fn.Capacity || fn.backlog > 0 {
			continue
		}
		if c.Exec == best {
			// Stealing: only a backlog the home cannot start at once.
			if home.backlog > home.Capacity {
				return c, true
			}
			continue
		}
		if s.worthRunningAs(c.Exec, best, home) {
			return c, true
		}
	}
	return plan.Candidate{}, false
}

// worthRunningAs reports whether running now as exec (cross or emulated)
// beats waiting for a slot of the home, which runs as best: the wait is
// the home's backlog in rounds of its capacity, each a mean solve; the
// run is a mean solve that built, for the other node has not the home's
// cache (on a rerun whose solves come from the cache, waiting wins and
// the cache stays of use).
func (s *Scheduler) worthRunningAs(exec, best plan.Exec, home *farmNode) bool {
	if s.count[best] == 0 || s.builtCount[best] == 0 {
		return false // nothing to estimate from yet: wait
	}
	mean := s.sum[best] / time.Duration(s.count[best])
	rounds := (home.backlog + home.Capacity - 1) / home.Capacity
	wait := time.Duration(rounds) * mean
	run := s.builtSum[best] / time.Duration(s.builtCount[best])
	if exec == plan.ExecEmulated && best != plan.ExecEmulated {
		run *= emulationSlowdown
	}
	return wait > run
}

// noNode is the error of a solve that no live node can run; s.mu held.
func (s *Scheduler) noNode(n *plan.Node, cands []plan.Candidate) error {
	if len(cands) == 0 {
		return fmt.Errorf("no builder node can run %s", n.Platform)
	}
	var why []string
	for _, c := range cands {
		if fn := s.nodes[c.Node]; fn != nil && fn.lost != nil {
			why = append(why, fmt.Sprintf("%s: %v", c.Node, fn.lost))
		}
	}
	return fmt.Errorf("no builder node left that can run %s (%s)", n.Platform, strings.Join(why, "; "))
}

// release gives the slot back, once; ok says whether the solve's build
// ended normally (its duration then counts for estimates), cached whether
// all its steps came from the cache. The solve may still export: it stays
// the node's until done.
func (t *ticket) release(ok, cached bool) {
	t.once.Do(func() {
		s := t.s
		s.mu.Lock()
		defer s.mu.Unlock()
		t.node.running--
		if ok {
			d := time.Since(t.start)
			s.sum[t.exec] += d
			s.count[t.exec]++
			if !cached {
				s.builtSum[t.exec] += d
				s.builtCount[t.exec]++
			}
		}
		s.broadcast()
	})
}

// done ends the attempt: its slot is given back if it was not yet.
func (t *ticket) done() {
	t.release(false, false)
	t.s.mu.Lock()
	delete(t.node.tickets, t)
	t.s.mu.Unlock()
	t.cancel(context.Canceled)
}

// isLost is the loss of the named node, or nil (also for "": no node).
func (s *Scheduler) isLost(name string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if fn := s.nodes[name]; fn != nil {
		return fn.lost
	}
	return nil
}

// lostErr is the node's loss when the ticket's solve ended because of it.
func (t *ticket) lostErr() error {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.node.lost != nil {
		return &NodeLostError{Node: t.node.Name, Reason: t.node.lost}
	}
	return nil
}

// lose marks a node lost, cancels its solves and wakes the waiting ones,
// which go to other nodes. A lost node stays lost for the run.
func (s *Scheduler) lose(name string, why error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn := s.nodes[name]
	if fn == nil || fn.lost != nil {
		return
	}
	fn.lost = why
	for t := range fn.tickets {
		t.cancel(&NodeLostError{Node: name, Reason: why})
	}
	s.broadcast()
}

// suspect checks, after a solve on node failed with err, whether the node
// is still there: a connection failure is followed by a probe, and a node
// that does not answer it is lost. It returns the loss, or nil.
func (s *Scheduler) suspect(t *ticket, err error) error {
	if lost := t.lostErr(); lost != nil {
		return lost
	}
	if err == nil || IsBuildError(err) || !connectionFailure(err) || t.node.Probe == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.probeTimeout())
	defer cancel()
	if perr := t.node.Probe(ctx); perr != nil {
		s.lose(t.node.Name, fmt.Errorf("its connection broke (%w), and it does not answer (%v)", err, perr))
		return t.lostErr()
	}
	return nil
}

// connectionFailure reports whether err says that the connection to the
// node broke (rather than that the build failed).
func connectionFailure(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	if isUnavailable(err) {
		return true
	}
	msg := err.Error()
	for _, m := range []string{"connection refused", "connection reset", "broken pipe", "transport is closing", "error reading from server", "unexpected EOF", "no such file or directory"} {
		if strings.Contains(msg, m) {
			return true
		}
	}
	return false
}
