package executor

import (
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/plan"
)

// Vertex attribution. BuildKit names a vertex by the digest of its
// operation, so one vertex shows up in the status stream of every solve
// that needs it: a dependency's steps are replayed in each dependent's
// stream (the dependent's build loads the dependency's definition), and
// two solves that share a step (the same FROM and COPY in two targets, a
// cross-compiled stage shared by two platforms) both report it, though
// the daemon ran it once. The rules, which docs/architecture.md repeats:
//
//   - A vertex that one of a node's ancestors (its `target:` links, and
//     theirs) reported belongs to the ancestor: the dependent neither
//     shows nor counts it.
//   - Every other vertex a node reports is its own step for the counts,
//     also when a node that is not its ancestor reported it too: the
//     counts depend only on the node's own build, so identical runs give
//     identical counts.
//   - Progress shows a vertex once per builder, under the first node that
//     reported it (BuildKit ran it for that node); another node takes it
//     over only once that node has ended.

// vertexBook attributes the vertices of a run's status streams to nodes.
// It is safe for concurrent use.
type vertexBook struct {
	mu        sync.Mutex
	nodes     []*nodeVertices
	ancestors [][]int // node index -> indices of its ancestors
	shownBy   map[shownKey]int
}

type shownKey struct {
	builder string
	dgst    digest.Digest
}

// nodeVertices is what one node reported of its own.
type nodeVertices struct {
	steps map[digest.Digest]*step
	first time.Time // when its first own vertex arrived
	ended bool
}

// step is one vertex as far as the node's stream has told.
type step struct {
	name      string
	completed bool
	cached    bool
	source    bool // no inputs: an image, a git or http source
	fetched   bool // some progress other than resolving a reference
}

func newVertexBook(ancestors [][]int) *vertexBook {
	b := &vertexBook{ancestors: ancestors, shownBy: map[shownKey]int{}}
	b.nodes = make([]*nodeVertices, len(ancestors))
	for i := range b.nodes {
		b.nodes[i] = &nodeVertices{steps: map[digest.Digest]*step{}}
	}
	return b
}

// report records a status update of node i from builder and returns the
// part that progress shows under i (nil when nothing is left).
func (b *vertexBook) report(i int, builder string, st *client.SolveStatus, now time.Time) *client.SolveStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	nv := b.nodes[i]
	out := &client.SolveStatus{}
	shown := func(d digest.Digest) bool {
		if b.ancestorHas(i, d) {
			return false
		}
		k := shownKey{builder, d}
		if o, ok := b.shownBy[k]; ok && o != i && !b.nodes[o].ended {
			return false
		}
		b.shownBy[k] = i
		return true
	}
	for _, v := range st.Vertexes {
		if b.ancestorHas(i, v.Digest) {
			continue
		}
		s := nv.steps[v.Digest]
		if s == nil {
			s = &step{source: len(v.Inputs) == 0}
			nv.steps[v.Digest] = s
			if nv.first.IsZero() {
				nv.first = now
			}
		}
		s.name = v.Name
		s.completed = s.completed || v.Completed != nil
		s.cached = s.cached || v.Cached
		if shown(v.Digest) {
			out.Vertexes = append(out.Vertexes, v)
		}
	}
	for _, vs := range st.Statuses {
		if s := nv.steps[vs.Vertex]; s != nil && !strings.HasPrefix(vs.ID, "resolve ") {
			s.fetched = true
		}
		if shown(vs.Vertex) {
			out.Statuses = append(out.Statuses, vs)
		}
	}
	for _, l := range st.Logs {
		if shown(l.Vertex) {
			out.Logs = append(out.Logs, l)
		}
	}
	for _, w := range st.Warnings {
		if shown(w.Vertex) {
			out.Warnings = append(out.Warnings, w)
		}
	}
	if len(out.Vertexes)+len(out.Statuses)+len(out.Logs)+len(out.Warnings) == 0 {
		return nil
	}
	return out
}

// ancestorHas reports whether an ancestor of node i reported d. Callers
// hold b.mu.
func (b *vertexBook) ancestorHas(i int, d digest.Digest) bool {
	for _, a := range b.ancestors[i] {
		if _, ok := b.nodes[a].steps[d]; ok {
			return true
		}
	}
	return false
}

// end marks node i as ended (its vertices may be shown under another
// node from now on) and returns when its first own vertex arrived (zero
// if none did) and its step counts.
func (b *vertexBook) end(i int) (first time.Time, steps, cached int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	nv := b.nodes[i]
	nv.ended = true
	steps, cached = b.count(i)
	return nv.first, steps, cached
}

// allCached reports whether node i's steps so far all came from the
// cache (and there are some).
func (b *vertexBook) allCached(i int) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	steps, cached := b.count(i)
	return steps > 0 && cached == steps
}

// count is node i's own steps and those that came from the cache. Callers
// hold b.mu.
func (b *vertexBook) count(i int) (steps, cached int) {
	for d, s := range b.nodes[i].steps {
		// Checked again at the end: an ancestor's report of a vertex may
		// arrive after a dependent's.
		if !s.completed || !isStep(s.name) || b.ancestorHas(i, d) {
			continue
		}
		steps++
		// BuildKit marks a step cached when it loaded its result from the
		// cache; the FROM of an image already in the store only resolves
		// the reference and is never marked, yet nothing was pulled.
		if s.cached || (s.source && !s.fetched) {
			cached++
		}
	}
	return steps, cached
}

// isStep reports whether a vertex is a Dockerfile step: "[stage n/m] ..."
// or "[n/m] ..."; internal loads, auth and exports are not steps.
func isStep(name string) bool {
	return strings.HasPrefix(name, "[") && !strings.HasPrefix(name, "[internal]") && !strings.HasPrefix(name, "[auth]")
}

// ancestors lists, for each node of p, the solves it reads through its
// links and theirs (merges have none: they read finished results).
func ancestors(p *plan.Plan, index map[string]int) [][]int {
	out := make([][]int, len(p.Nodes))
	// p.Nodes is in dependency order, so a dependency's list is complete
	// before its dependents read it.
	for i, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		seen := map[int]bool{}
		for _, d := range n.Deps {
			j := index[d]
			for _, a := range append([]int{j}, out[j]...) {
				if !seen[a] {
					seen[a] = true
					out[i] = append(out[i], a)
				}
			}
		}
	}
	return out
}
