package executortest

import (
	"slices"
	"strings"

	"github.com/containerd/platforms"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// PlanTarget describes one target of a test plan.
type PlanTarget struct {
	Name      string
	Platforms []string // default: linux/amd64
	Links     map[string]string
	Merge     bool // add a merge node over the platforms
	Target    *bake.Target
}

// NewPlan builds a plan by hand, the way plan.New lays it out (solve IDs
// "name@platform", merge IDs "name#index", topological order), so that
// executor tests do not depend on the planner. Targets must be listed
// dependencies first.
func NewPlan(targets ...PlanTarget) *plan.Plan {
	p := &plan.Plan{}
	level := map[string]int{}
	for _, pt := range targets {
		t := pt.Target
		if t == nil {
			t = &bake.Target{Name: pt.Name}
		}
		t.Name = pt.Name
		plats := pt.Platforms
		if len(plats) == 0 {
			plats = []string{"linux/amd64"}
		}
		if t.Platforms == nil && len(pt.Platforms) > 0 {
			t.Platforms = pt.Platforms
		}
		var solves []string
		for _, pl := range plats {
			n := &plan.Node{ID: pt.Name + "@" + pl, Kind: plan.KindSolve, Target: pt.Name, Platform: pl}
			role := plan.RoleExport
			if pt.Merge {
				role = plan.RoleMerge
			}
			n.Solve = &plan.Solve{Targets: []*bake.Target{t}, Platform: platforms.MustParse(pl), Role: role}
			names := make([]string, 0, len(pt.Links))
			for name := range pt.Links {
				names = append(names, name)
			}
			slices.Sort(names)
			for _, name := range names {
				dep := pt.Links[name] + "@" + pl
				n.Solve.Links = append(n.Solve.Links, plan.Link{Name: name, Node: dep})
				n.Deps = append(n.Deps, dep)
				n.Level = max(n.Level, level[dep]+1)
			}
			slices.Sort(n.Deps)
			n.Deps = slices.Compact(n.Deps)
			level[n.ID] = n.Level
			p.Nodes = append(p.Nodes, n)
			solves = append(solves, n.ID)
		}
		if pt.Merge {
			m := &plan.Node{ID: pt.Name + "#index", Kind: plan.KindMerge, Target: pt.Name,
				Merge: &plan.Merge{Target: t, Platforms: plats, Solves: solves}}
			m.Deps = slices.Clone(solves)
			slices.Sort(m.Deps)
			for _, s := range solves {
				m.Level = max(m.Level, level[s]+1)
			}
			p.Nodes = append(p.Nodes, m)
		}
	}
	slices.SortStableFunc(p.Nodes, func(a, b *plan.Node) int {
		if a.Level != b.Level {
			return a.Level - b.Level
		}
		return strings.Compare(a.ID, b.ID)
	})
	return p
}
