package executor

import (
	"fmt"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/plan"
)

// Place assigns every solve node of p to a builder:
//
//  1. a node that runs the platform natively, else
//  2. a node that emulates it, else the first node (whose QEMU may still
//     cope; BuildKit then says what is missing);
//  3. among equals, the one with the fewest solves so far (spread load).
//     A platform no node lists goes to the first node, as in buildx.
//
// Solves joined by `target:` links form one group that lands on one
// node, because BuildKit passes a dependency's result to its dependents
// only within a daemon; xbake does not push intermediate results through
// a registry. Groups are placed in plan order, so placement is
// deterministic.
func (bs *Builders) Place(p *plan.Plan) (map[string]*Builder, error) {
	if len(bs.Nodes) == 0 {
		return nil, fmt.Errorf("no builders")
	}
	parent := map[string]string{}
	var find func(string) string
	find = func(id string) string {
		if q, ok := parent[id]; ok && q != id {
			r := find(q)
			parent[id] = r
			return r
		}
		return id
	}
	var solves []*plan.Node
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		solves = append(solves, n)
		parent[n.ID] = n.ID
		for _, l := range n.Solve.Links {
			a, b := find(n.ID), find(l.Node)
			if a != b {
				parent[a] = b
			}
		}
	}
	groups := map[string][]*plan.Node{}
	var roots []string
	for _, n := range solves {
		r := find(n.ID)
		if _, ok := groups[r]; !ok {
			roots = append(roots, r)
		}
		groups[r] = append(groups[r], n)
	}

	load := make([]int, len(bs.Nodes))
	out := map[string]*Builder{}
	for _, r := range roots {
		g := groups[r]
		best, bestRank := 0, 3
		for i, b := range bs.Nodes {
			rank := 0
			for _, n := range g {
				rank = max(rank, b.rank(n.Solve.Platform))
			}
			if rank < bestRank || (rank == bestRank && load[i] < load[best]) {
				best, bestRank = i, rank
			}
		}
		if bestRank == 2 {
			best = 0 // as buildx: unmatched platforms go to the first node
		}
		load[best] += len(g)
		for _, n := range g {
			out[n.ID] = bs.Nodes[best]
		}
	}
	return out, nil
}

// rank is 0 for a native platform, 1 for an emulated one, 2 otherwise.
func (b *Builder) rank(p ocispec.Platform) int {
	if matchAny(b.Native, p) {
		return 0
	}
	if matchAny(b.Supported, p) {
		return 1
	}
	return 2
}

func matchAny(ps []ocispec.Platform, p ocispec.Platform) bool {
	// OnlyStrict: linux/amd64 must not count as running linux/386.
	m := platforms.OnlyStrict(p)
	for _, q := range ps {
		if m.Match(q) {
			return true
		}
	}
	return false
}
