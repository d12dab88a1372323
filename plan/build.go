package plan

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/xbake/xbake/bake"
)

// group is one solve node in the making: the (target, platform) pairs that
// share a dedup key.
type group struct {
	members []*tinfo
	plat    tplat
	def     bool    // every member got the platform from the default
	links   []tlink // the `target:` contexts, the same for every member
	deps    []int   // the groups that serve links, in the same order
	node    *Node
}

// build turns the checked targets into a Plan. It runs only when there is
// no error, so every link resolves and every platform is valid.
func (b *builder) build() *Plan {
	pairs := 0 // (target, platform) pairs
	for _, ti := range b.targets {
		pairs += len(ti.plats)
	}
	// Per-pair and per-target slices are cut from a few large ones rather
	// than allocated one by one: plans of thousands of targets are common.
	keys := make([]string, 0, pairs)
	for _, ti := range b.targets {
		if !ti.t.Linked {
			ti.reuse = b.req.Unchanged[ti.t.Name]
		}
		// A multi-platform target gets a merge node for an output that is
		// one artefact or a registry cache written under one ref; with
		// --atomic, every target that pushes an image gets one, so that
		// its tags wait for the whole run.
		ti.merge = !ti.t.Linked && (len(ti.plats) > 1 &&
			(slices.ContainsFunc(ti.t.Outputs, b.req.Merges) || slices.ContainsFunc(ti.t.CacheTo, MergedCache)) ||
			b.req.Atomic && slices.ContainsFunc(ti.t.Outputs, PushedImage)) || ti.reuse != nil
		start := len(keys)
		for _, p := range ti.plats {
			keys = append(keys, p.key)
		}
		ti.keys = keys[start:len(keys):len(keys)]
	}
	groups := b.group()
	p := &Plan{Nodes: make([]*Node, 0, len(groups)+len(b.targets)), LoadIndex: b.req.LoadIndex}
	// One allocation for all solve nodes rather than two per node.
	nodes := make([]Node, len(groups))
	solves := make([]Solve, len(groups))
	for i, g := range groups {
		slices.SortFunc(g.members, func(x, y *tinfo) int { return cmp.Compare(x.t.Name, y.t.Name) })
		first := g.members[0]
		solves[i].Platform = g.plat.spec
		g.node = &nodes[i]
		*g.node = Node{
			ID:              first.t.Name + "@" + g.plat.key,
			Kind:            KindSolve,
			Target:          first.t.Name,
			Platform:        g.plat.key,
			DefaultPlatform: g.def,
			Origin:          declRange(first.t),
			Solve:           &solves[i],
		}
		p.Nodes = append(p.Nodes, g.node)
	}
	targets := make([]*bake.Target, pairs)
	roles := make([]Role, pairs)
	targetPlatforms := make([][]string, pairs)
	for _, g := range groups {
		s := g.node.Solve
		n := len(g.members)
		s.Targets, targets = targets[:n:n], targets[n:]
		s.Roles, roles = roles[:n:n], roles[n:]
		s.TargetPlatforms, targetPlatforms = targetPlatforms[:n:n], targetPlatforms[n:]
		for i, m := range g.members {
			s.Targets[i] = m.t
			s.Roles[i] = m.role()
			s.TargetPlatforms[i] = m.keys
			s.Role = maxRole(s.Role, s.Roles[i])
		}
		if len(g.links) == 0 {
			continue
		}
		s.Links = make([]Link, len(g.links))
		ids := make([]string, len(g.links))
		for i, l := range g.links {
			ids[i] = groups[g.deps[i]].node.ID
			s.Links[i] = Link{Name: l.name, Node: ids[i]}
		}
		g.node.Deps = sortedUnique(ids)
	}
	b.addTests(b.tests, groups)
	b.skip(groups)
	for _, ti := range b.targets {
		if ti.merge {
			p.Nodes = append(p.Nodes, mergeNode(ti, groups))
		}
	}
	order(p)
	if len(b.req.Nodes) > 0 {
		b.place(p) // Exec is how each solve's home runs it
	} else {
		b.classify(p)
	}
	return p
}

// group assigns every (target, platform) to a solve group. Targets are
// taken dependencies first, so the key of a dependent can name the groups
// that feed its contexts: two dependents are the same solve only if their
// dependencies are.
func (b *builder) group() []*group {
	var groups []*group
	static := map[string]int{}
	byKey := map[string]int{}
	var key []byte
	var deps []int
	for _, ti := range b.topoTargets() {
		sk := staticKey(ti.t)
		sid, ok := static[sk]
		if !ok {
			sid = len(static)
			static[sk] = sid
		}
		ti.solves = make([]int, len(ti.plats))
		for i, p := range ti.plats {
			key = strconv.AppendInt(key[:0], int64(sid), 10)
			key = append(key, '|')
			key = append(key, p.key...)
			deps = deps[:0]
			for _, l := range ti.links {
				d := l.dep.solves[l.dep.servingIndex(p.key)]
				deps = append(deps, d)
				key = append(key, '|')
				key = strconv.AppendInt(key, int64(d), 10)
			}
			gi, ok := byKey[string(key)]
			if !ok {
				gi = len(groups)
				byKey[string(key)] = gi
				groups = append(groups, &group{plat: p, def: true, links: ti.links, deps: slices.Clone(deps)})
			}
			g := groups[gi]
			g.members = append(g.members, ti)
			g.def = g.def && p.def
			ti.solves[i] = gi
		}
	}
	return groups
}

// servingIndex returns which of ti's platforms serves a dependent's
// platform key: its only one, or the same one.
func (ti *tinfo) servingIndex(key string) int {
	if len(ti.plats) == 1 {
		return 0
	}
	return ti.platformIndex(key)
}

// topoTargets returns the targets with every dependency before its
// dependents: a depth-first post-order from the targets in name order.
func (b *builder) topoTargets() []*tinfo {
	out := make([]*tinfo, 0, len(b.targets))
	done := make(map[*tinfo]bool, len(b.targets))
	var visit func(ti *tinfo)
	visit = func(ti *tinfo) {
		if done[ti] {
			return
		}
		done[ti] = true // safe: there are no cycles by now
		for _, l := range ti.links {
			visit(l.dep)
		}
		out = append(out, ti)
	}
	for _, ti := range b.targets {
		visit(ti)
	}
	return out
}

func (ti *tinfo) role() Role {
	switch {
	case ti.t.Linked, ti.reuse != nil:
		return RoleDependency
	case ti.merge:
		return RoleMerge
	}
	return RoleExport
}

func mergeNode(ti *tinfo, groups []*group) *Node {
	m := &Merge{
		Target:    ti.t,
		Platforms: ti.keys,
		Solves:    make([]string, len(ti.plats)),
	}
	for i := range ti.plats {
		m.Solves[i] = groups[ti.solves[i]].node.ID
	}
	deps := sortedUnique(slices.Clone(m.Solves))
	if ti.reuse != nil {
		m.Reuse, deps = ti.reuse, nil
	}
	return &Node{
		ID:     ti.t.Name + "#index",
		Kind:   KindMerge,
		Target: ti.t.Name,
		Deps:   deps,
		Merge:  m,
		Origin: declRange(ti.t),
	}
}

// Merges says whether an output of a multi-platform target is assembled
// by its merge node under r: a MergedOutput, and with LoadIndex a docker
// output without dest, which the engine then loads as one image.
func (r Request) Merges(o *bake.Export) bool {
	return MergedOutput(o) || (r.LoadIndex && o != nil && o.Type == "docker" && o.Dest == "")
}

// MergedOutput says whether an output of a multi-platform target is
// assembled by its merge node: an image pushed to a registry (type
// registry, or image with push=true) becomes an index pushed to every tag,
// and oci or tar becomes one layout with an index. Other outputs (docker,
// local, cacheonly, an image that is not pushed) are per platform and are
// written by the solves.
func MergedOutput(o *bake.Export) bool {
	if o == nil {
		return false
	}
	switch o.Type {
	case "registry", "oci", "tar":
		return true
	case "image":
		push, err := strconv.ParseBool(o.Attrs["push"])
		return err == nil && push
	}
	return false
}

// PushedImage says whether an output pushes an image to a registry (type
// registry, or image with push=true): what --atomic holds back.
func PushedImage(o *bake.Export) bool {
	if o == nil {
		return false
	}
	push, err := strconv.ParseBool(o.Attrs["push"])
	return o.Type == "registry" || o.Type == "image" && err == nil && push
}

// ImageNames are the names an image output of t is pushed to, as
// written: its name attribute, else t's tags, split on commas. A tag may
// hold several names ("r/a:1,r/a:2"): buildx joins the tags with commas
// into the exporter's name, which BuildKit splits.
func ImageNames(t *bake.Target, o *bake.Export) []string {
	if name := o.Attrs["name"]; name != "" {
		return strings.Split(name, ",")
	}
	var names []string
	for _, tag := range t.Tags {
		names = append(names, strings.Split(tag, ",")...)
	}
	return names
}

// MergedCache says whether a cache-to entry of a multi-platform target is
// joined by its merge node: each platform's solve exports a registry cache
// under its own tag, and the merge node writes their union to the ref the
// user named (as buildx's one solve for all platforms would).
func MergedCache(c *bake.CacheEntry) bool {
	return c != nil && c.Type == "registry" && c.Attrs["ref"] != "" && c.Attrs["disabled"] != "true"
}

func sortedUnique(ids []string) []string {
	slices.Sort(ids)
	return slices.Compact(ids)
}
