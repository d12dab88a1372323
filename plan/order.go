package plan

import (
	"cmp"
	"slices"
)

// order sorts p.Nodes topologically and sets each node's Level, with
// Kahn's algorithm taken one wave at a time: the nodes whose dependencies
// are all placed form the next wave, sorted by ID. A wave is a level (the
// longest path from a node without dependencies), so the plan reads as the
// sequence of steps that can run in parallel, and the order is the same on
// every machine. It runs in O(edges + nodes log nodes).
func order(p *Plan) {
	n := len(p.Nodes)
	pos := make(map[string]int, n)
	for i, nd := range p.Nodes {
		pos[nd.ID] = i
	}
	// Dependents as a flat adjacency list (compressed rows): one allocation
	// instead of a slice per node.
	start := make([]int, n+1)
	for _, nd := range p.Nodes {
		for _, d := range nd.Deps {
			start[pos[d]+1]++
		}
	}
	for i := range n {
		start[i+1] += start[i]
	}
	fill := slices.Clone(start[:n])
	dependents := make([]int, start[n])
	indeg := make([]int, n)
	var wave []int
	for i, nd := range p.Nodes {
		indeg[i] = len(nd.Deps)
		if indeg[i] == 0 {
			wave = append(wave, i)
		}
		for _, d := range nd.Deps {
			j := pos[d]
			dependents[fill[j]] = i
			fill[j]++
		}
	}
	byID := func(a, b int) int { return cmp.Compare(p.Nodes[a].ID, p.Nodes[b].ID) }
	sorted := make([]*Node, 0, n)
	var next []int
	for level := 0; len(wave) > 0; level++ {
		slices.SortFunc(wave, byID)
		next = next[:0]
		for _, i := range wave {
			nd := p.Nodes[i]
			nd.Level = level
			sorted = append(sorted, nd)
			for _, j := range dependents[start[i]:start[i+1]] {
				if indeg[j]--; indeg[j] == 0 {
					next = append(next, j)
				}
			}
		}
		wave, next = next, wave
	}
	p.Nodes = sorted
}
