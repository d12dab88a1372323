package plan

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BuilderNode is one BuildKit node of the run, as placement sees it
// (Request.Nodes): the executor connects to the nodes and passes what they
// said; --plan with a builder passes the same.
type BuilderNode struct {
	Name string `json:"name"`
	// Native are the platforms the node runs without emulation; Emulated
	// the others its workers list (through QEMU). Formatted.
	Native   []string `json:"native"`
	Emulated []string `json:"emulated"`
	// Capacity is how many solves the node runs at once (at least 1).
	Capacity int `json:"capacity"`
}

// Candidate is a node that can run a solve, and how it would run it.
type Candidate struct {
	Node string
	Exec Exec
}

// parsedNode is a BuilderNode with its platforms parsed once.
type parsedNode struct {
	BuilderNode
	native   []platforms.Matcher
	emulated []platforms.Matcher
	// build is the node's own platform, BUILDPLATFORM of its solves: its
	// first native one.
	build ocispec.Platform
}

func parseNodes(nodes []BuilderNode) []parsedNode {
	out := make([]parsedNode, 0, len(nodes))
	for _, n := range nodes {
		pn := parsedNode{BuilderNode: n}
		if pn.Capacity < 1 {
			pn.Capacity = 1
		}
		for _, s := range n.Native {
			if p, err := platforms.Parse(s); err == nil {
				p = platforms.Normalize(p)
				if len(pn.native) == 0 {
					pn.build = p
				}
				pn.native = append(pn.native, nativeMatcher(p))
			}
		}
		for _, s := range n.Emulated {
			if p, err := platforms.Parse(s); err == nil {
				pn.emulated = append(pn.emulated, platforms.OnlyStrict(platforms.Normalize(p)))
			}
		}
		out = append(out, pn)
	}
	return out
}

// crossFunc reports whether node nd, which does not run solve n's
// platform natively, cross-compiles it: every RUN step n needs runs on a
// platform nd runs natively.
type crossFunc func(n *Node, nd *parsedNode) bool

// exec is how node nd would run solve n; ok is false when the node lists
// no way to run it.
func (nd *parsedNode) exec(n *Node, cross crossFunc) (Exec, bool) {
	if matchAny(nd.native, n.Solve.Platform) {
		return ExecNative, true
	}
	if cross(n, nd) {
		// Every RUN step runs on a platform of the node's own.
		return ExecCross, true
	}
	if matchAny(nd.emulated, n.Solve.Platform) {
		return ExecEmulated, true
	}
	return ExecEmulated, false
}

// Candidates lists the nodes of p.Builders that can run solve n, best
// first: those that run its platform natively, then those that
// cross-compile it on their own platform (every RUN step it needs runs on
// a platform the node runs natively, see Request.Dockerfiles), then those
// that emulate it; within each kind in rendezvous order of the solve's ID
// (see rendezvous), so that the order does not depend on the order of
// nodes. When no node lists the platform, every node is a candidate (its
// QEMU may still cope; BuildKit then says what is missing). n's home,
// Node.Builder, is first. Placement decided them; this only reads them.
func (p *Plan) Candidates(n *Node) []Candidate {
	cs := slices.Clone(n.candidates)
	for i, c := range cs {
		if c.Node == n.Builder && c.Exec == cs[0].Exec {
			copy(cs[1:i+1], cs[:i])
			cs[0] = c
			break
		}
	}
	return cs
}

// Runnable reports whether a node of p.Builders has a way to run solve n:
// it runs n's platform natively, cross-compiles it, or lists it among its
// emulated platforms. When none has, Candidates gives every node all the
// same. A solve that does not run (Solve.Unchanged) needs no node.
func (p *Plan) Runnable(n *Node) bool {
	return n.Kind == KindSolve && (n.Solve.Unchanged || n.listed)
}

// candidates lists the nodes that can run n, best first; listed is false
// when no node lists a way to run it, and every node is then a candidate.
func candidates(nodes []parsedNode, n *Node, cross crossFunc) (_ []Candidate, listed bool) {
	if n.Kind != KindSolve || len(nodes) == 0 {
		return nil, false
	}
	type cand struct {
		Candidate
		rank  int
		score uint64
	}
	var cs []cand
	var unlisted []cand
	for i := range nodes {
		e, ok := nodes[i].exec(n, cross)
		c := cand{Candidate: Candidate{Node: nodes[i].Name, Exec: e}, score: rendezvous(n.ID, nodes[i].Name)}
		switch e {
		case ExecCross:
			c.rank = 1
		case ExecEmulated:
			c.rank = 2
		}
		if ok {
			cs = append(cs, c)
		} else {
			unlisted = append(unlisted, c)
		}
	}
	listed = len(cs) > 0
	if !listed {
		cs = unlisted
	}
	slices.SortFunc(cs, func(a, b cand) int {
		if c := cmp.Compare(a.rank, b.rank); c != 0 {
			return c
		}
		if c := cmp.Compare(b.score, a.score); c != 0 {
			return c
		}
		return cmp.Compare(a.Node, b.Node)
	})
	out := make([]Candidate, len(cs))
	for i, c := range cs {
		out[i] = c.Candidate
	}
	return out, listed
}

// rendezvous is the highest-random-weight score of a solve on a node: a
// hash of both names. Each solve prefers the node with the highest score;
// the score does not depend on which other nodes exist or on their order,
// so adding a node moves only the solves that now score highest on it,
// and removing one moves only the solves that were on it.
func rendezvous(id, node string) uint64 {
	h := sha256.Sum256([]byte(id + "\x00" + node))
	return binary.BigEndian.Uint64(h[:8])
}

// place gives every solve of p its home node (Node.Builder) and how it
// runs there (Node.Exec), for Request.Nodes. Placement is rendezvous
// hashing with bounded loads: each solve goes to the first of its
// candidates of the best kind (native, then cross, then emulated) whose
// load is below its bound: the node's fair share, by capacity, of the
// solves it is a best candidate for, rounded up. Solves are taken in the
// order of their hash, not of the plan or of the nodes, so that the
// result depends only on the set of solves and nodes: the same targets go
// to the same nodes from run to run, and equal nodes share the work.
//
// Whether a node cross-compiles a solve is the rule of classify
// (runsNatively), asked with the node's own platforms: a stage on
// $BUILDPLATFORM runs natively on an arm64 node as on an amd64 one.
func (b *builder) place(p *Plan) {
	nodes := parseNodes(b.req.Nodes)
	placeOn(p, nodes, func(n *Node, nd *parsedNode) bool {
		return b.runsNatively(n, nd.native, nd.build)
	})
	// What the home node builds: the images it pulls (the base-image
	// check) and, when it emulates, the RUN steps under QEMU (the advisor).
	for _, n := range p.Nodes {
		if n.Kind != KindSolve || n.Solve.Unchanged {
			continue
		}
		i := slices.IndexFunc(nodes, func(nd parsedNode) bool { return nd.Name == n.Builder })
		if i < 0 {
			continue
		}
		if db, ok := b.readDockerfile(n, nodes[i].build); ok && n.Exec == ExecEmulated {
			n.Solve.EmulatedRuns = emulatedRuns(db, nodes[i].native)
		}
	}
}

// Place gives the solves of p their home nodes among nodes, in place of
// any earlier placement: for a plan made without Request.Nodes (by hand,
// in tests) or placed on other nodes. It reads no Dockerfile: a solve
// the planner classified cross (with Request.BuilderPlatforms) is taken
// to cross-compile on every node that does not run its platform; one
// planned with Request.Nodes was not classified that way, and is not.
func (p *Plan) Place(nodes []BuilderNode) {
	placeOn(p, parseNodes(nodes), func(n *Node, _ *parsedNode) bool { return n.classified == ExecCross })
}

func placeOn(p *Plan, nodes []parsedNode, cross crossFunc) {
	p.Builders = make([]BuilderNode, len(nodes))
	for i := range nodes {
		p.Builders[i] = nodes[i].BuilderNode
	}
	type solve struct {
		n   *Node
		key uint64
	}
	var solves []solve
	share := map[string]float64{}
	capacity := map[string]int{}
	for _, nd := range nodes {
		capacity[nd.Name] = nd.Capacity
	}
	for _, n := range p.Nodes {
		if n.Kind != KindSolve || n.Solve.Unchanged {
			continue // it does not run: no node, no load
		}
		n.candidates, n.listed = candidates(nodes, n, cross)
		best := bestKind(n.candidates)
		total := 0
		for _, c := range best {
			total += capacity[c.Node]
		}
		for _, c := range best {
			share[c.Node] += float64(capacity[c.Node]) / float64(total)
		}
		solves = append(solves, solve{n: n, key: rendezvous(n.ID, "")})
	}
	slices.SortFunc(solves, func(a, b solve) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.n.ID, b.n.ID)
	})
	load := map[string]int{}
	for _, s := range solves {
		best := bestKind(s.n.candidates)
		pick, found := best[0], false
		for _, c := range best {
			if load[c.Node] < ceil(share[c.Node]) {
				pick, found = c, true
				break
			}
		}
		if !found {
			// Every bound is reached (shares overlap where nodes run
			// several platforms): the least loaded for its capacity.
			for _, c := range best {
				if load[c.Node]*capacity[pick.Node] < load[pick.Node]*capacity[c.Node] {
					pick = c
				}
			}
		}
		load[pick.Node]++
		s.n.Builder, s.n.Exec = pick.Node, pick.Exec
	}
	p.Emulated = 0
	for _, n := range p.Nodes {
		if n.Exec == ExecEmulated {
			p.Emulated++
		}
	}
}

// bestKind is the leading candidates of the best kind.
func bestKind(cs []Candidate) []Candidate {
	for i := range cs {
		if cs[i].Exec != cs[0].Exec {
			return cs[:i]
		}
	}
	return cs
}

func ceil(f float64) int {
	n := int(f)
	if float64(n) < f-1e-9 {
		n++
	}
	return n
}
