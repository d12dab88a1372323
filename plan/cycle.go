package plan

import (
	"strings"
)

// checkCycles reports every cycle of `target:` links, one diagnostic per
// strongly connected group of targets, so a tangle of many links does not
// flood the output. Self-links were reported by resolveLinks and are not
// in ti.links.
func (b *builder) checkCycles() {
	for _, scc := range b.components() {
		if len(scc) > 1 {
			b.reportCycle(scc)
		}
	}
}

// components returns the strongly connected components of the link graph
// (Tarjan's algorithm). Targets are visited in name order and links in
// context-name order, so the result is the same on every run.
func (b *builder) components() [][]*tinfo {
	n := len(b.targets)
	index := make([]int, n) // 0: not visited yet, else visit order + 1
	low := make([]int, n)
	onStack := make([]bool, n)
	pos := make(map[*tinfo]int, n)
	for i, ti := range b.targets {
		pos[ti] = i
	}
	var stack []int
	var out [][]*tinfo
	next := 1
	var visit func(v int)
	visit = func(v int) {
		index[v], low[v] = next, next
		next++
		stack = append(stack, v)
		onStack[v] = true
		for _, l := range b.targets[v].links {
			w := pos[l.dep]
			if index[w] == 0 {
				visit(w)
				low[v] = min(low[v], low[w])
			} else if onStack[w] {
				low[v] = min(low[v], index[w])
			}
		}
		if low[v] != index[v] {
			return
		}
		var scc []*tinfo
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			onStack[w] = false
			scc = append(scc, b.targets[w])
			if w == v {
				break
			}
		}
		out = append(out, scc)
	}
	for v := range b.targets {
		if index[v] == 0 {
			visit(v)
		}
	}
	return out
}

// reportCycle finds the shortest cycle through the first-named target of
// scc (breadth first, links in name order) and reports it with the
// position of the context that closes it.
func (b *builder) reportCycle(scc []*tinfo) {
	in := make(map[*tinfo]bool, len(scc))
	start := scc[0]
	for _, ti := range scc {
		in[ti] = true
		if ti.t.Name < start.t.Name {
			start = ti
		}
	}
	parent := map[*tinfo]*tinfo{start: nil}
	queue := []*tinfo{start}
	for len(queue) > 0 {
		u := queue[0]
		queue = queue[1:]
		for _, l := range u.links {
			if l.dep == start {
				b.cycleDiag(start, u, l.name, parent)
				return
			}
			if _, seen := parent[l.dep]; !seen && in[l.dep] {
				parent[l.dep] = u
				queue = append(queue, l.dep)
			}
		}
	}
}

func (b *builder) cycleDiag(start, last *tinfo, ctx string, parent map[*tinfo]*tinfo) {
	var path []string
	for ti := last; ti != nil; ti = parent[ti] {
		path = append(path, ti.t.Name)
	}
	// path runs from last back to start; print it forwards.
	for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
		path[i], path[j] = path[j], path[i]
	}
	path = append(path, start.t.Name)
	b.errorf(last.t.ElemRange("contexts", ctx), "Dependency cycle",
		`The "target:" contexts of these targets form a cycle: %s. Context %q of target %q closes it. `+
			`A target cannot be built from its own result; remove one of these contexts.`,
		strings.Join(path, " -> "), ctx, last.t.Name)
}
