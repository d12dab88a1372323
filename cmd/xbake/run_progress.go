//go:build !xbakefront

package main

import (
	"context"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// progress feeds every solve's status into one BuildKit display, each
// vertex renamed "[node] name", as buildx's progress.WithPrefix names
// targets. The executor hands each vertex to one node per builder (a
// dependency's steps are not repeated under its dependents); the digests
// are still re-keyed per node, because the same step run on two builders
// has one digest and must show twice.
type progress struct {
	merges sync.Map // node ID -> start time, for merge lines
	ch     chan *client.SolveStatus
	done   chan struct{}
	red    *executor.Redactor
	logs   *executor.LogStream // red for the solves' logs
	mu     sync.Mutex
	shut   bool
	// nodes is how many builder nodes the run has: with more than one,
	// a solve's lines name the node it runs on.
	nodes int
}

func newProgress(ctx context.Context, w io.Writer, mode progressui.DisplayMode, red *executor.Redactor) (*progress, error) {
	d, err := progressui.NewDisplay(w, mode)
	if err != nil {
		return nil, err
	}
	p := &progress{ch: make(chan *client.SolveStatus, 64), done: make(chan struct{}), red: red, logs: red.Logs()}
	go func() {
		defer close(p.done)
		// The display must drain to the end even when ctx is canceled,
		// so that what finished is still shown.
		_, _ = d.UpdateFrom(context.WithoutCancel(ctx), p.ch)
	}()
	return p, nil
}

// event is the executor's Events callback.
func (p *progress) event(ev executor.Event) {
	var st *client.SolveStatus
	switch ev.Kind {
	case executor.EventProgress:
		label := ev.Node.ID
		if p.nodes > 1 && ev.Builder != "" {
			label += " on " + ev.Builder
		}
		st = prefixStatus(ev.Node.ID, label, p.logs.Status(ev.Node.ID, ev.Status))
	case executor.EventRetry:
		st = noteStatus(ev.Node.ID, "retrying after a transient error: "+p.red.String(ev.Err.Error()))
	case executor.EventMoved:
		st = noteStatus(ev.Node.ID, "moving to another node: "+p.red.String(ev.Err.Error()))
	case executor.EventStarted, executor.EventFinished:
		if ev.Node.Kind != plan.KindMerge {
			return
		}
		// Merges talk to registries and files, not BuildKit: give them a
		// line of their own so that the display does not look idle.
		st = p.mergeStatus(ev)
	default:
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.shut {
		p.ch <- st
	}
}

func (p *progress) close() {
	p.mu.Lock()
	for _, h := range p.logs.Flush() {
		if !p.shut {
			p.ch <- prefixStatus(h.Solve, h.Solve, &client.SolveStatus{Logs: []*client.VertexLog{h.Log}})
		}
	}
	p.shut = true
	close(p.ch)
	p.mu.Unlock()
	<-p.done
}

func rekey(id string, d digest.Digest) digest.Digest {
	if d == "" {
		return d
	}
	return digest.FromString(id + "\x00" + d.String())
}

// prefixStatus returns a copy of st with vertex names prefixed with
// label (the node ID, and the builder node it runs on) and digests made
// unique per node.
func prefixStatus(id, label string, st *client.SolveStatus) *client.SolveStatus {
	out := &client.SolveStatus{}
	prefix := "[" + label + "] "
	for _, v := range st.Vertexes {
		c := *v
		c.Digest = rekey(id, v.Digest)
		c.Inputs = nil
		for _, in := range v.Inputs {
			c.Inputs = append(c.Inputs, rekey(id, in))
		}
		if !strings.HasPrefix(c.Name, prefix) {
			c.Name = prefix + c.Name
		}
		out.Vertexes = append(out.Vertexes, &c)
	}
	for _, s := range st.Statuses {
		c := *s
		c.Vertex = rekey(id, s.Vertex)
		out.Statuses = append(out.Statuses, &c)
	}
	for _, l := range st.Logs {
		c := *l
		c.Vertex = rekey(id, l.Vertex)
		out.Logs = append(out.Logs, &c)
	}
	for _, w := range st.Warnings {
		c := *w
		c.Vertex = rekey(id, w.Vertex)
		out.Warnings = append(out.Warnings, &c)
	}
	return out
}

// noteStatus is a one-line, already completed vertex.
func noteStatus(id, msg string) *client.SolveStatus {
	now := timeNow()
	return &client.SolveStatus{Vertexes: []*client.Vertex{{
		Digest: digest.FromString(id + "\x00" + msg + now.String()), Name: "[" + id + "] " + msg,
		Started: &now, Completed: &now,
	}}}
}

// mergeStatus is the one vertex of a merge node: started, then completed
// (with its error, if any).
func (p *progress) mergeStatus(ev executor.Event) *client.SolveStatus {
	id := ev.Node.ID
	now := timeNow()
	name := "merging " + mergeWhat(ev.Node)
	if m := ev.Node.Merge; m != nil && m.Reuse != nil {
		name = "inputs unchanged: tagging " + m.Reuse.Ref
	}
	v := &client.Vertex{Digest: digest.FromString("merge\x00" + id), Name: "[" + id + "] " + name}
	if ev.Kind == executor.EventStarted {
		p.merges.Store(id, now)
		v.Started = &now
		return &client.SolveStatus{Vertexes: []*client.Vertex{v}}
	}
	started, ok := p.merges.Load(id)
	if !ok {
		return &client.SolveStatus{} // skipped or canceled before it started
	}
	t := started.(time.Time)
	v.Started, v.Completed = &t, &now
	if r := ev.Report; r != nil && r.Err != nil {
		v.Error = p.red.String(r.Err.Error())
	}
	return &client.SolveStatus{Vertexes: []*client.Vertex{v}}
}

func mergeWhat(n *plan.Node) string {
	if n.Merge == nil || n.Merge.Target == nil {
		return "platforms"
	}
	var outs []string
	for _, o := range n.Merge.Target.Outputs {
		outs = append(outs, o.Type)
	}
	return strings.Join(n.Merge.Platforms, ", ") + " (" + strings.Join(outs, ", ") + ")"
}
