package executortest

import (
	"fmt"
	"maps"
	"slices"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// DefaultPlatform is the builder default NewPlan plans with.
const DefaultPlatform = "linux/amd64"

// PlanTarget describes one target of a test plan.
type PlanTarget struct {
	Name      string
	Platforms []string // default: DefaultPlatform
	// Links are `target:` contexts: context name -> target name.
	Links map[string]string
	// Merge says the target has a merge node: it needs several platforms
	// and an output that a merge assembles; when it has no such output
	// (the fakes need none), NewPlan gives it type=registry.
	Merge  bool
	Target *bake.Target
}

// NewPlan plans the targets with plan.New, as xbake does, so executor
// tests run on the plans the executor is given in real runs (node IDs,
// roles, shared solves and merge nodes decided by the planner, not by the
// test). Every target is requested; one without Target gets its own
// Dockerfile name, so that two fakes are not one shared solve.
//
// It panics when the planner rejects the targets or places a merge node
// where Merge does not say so: a test plan is valid by construction.
func NewPlan(targets ...PlanTarget) *plan.Plan {
	return NewPlanRequest(plan.Request{}, targets...)
}

// NewPlanRequest is NewPlan with more of the planner's request than the
// default platform (which is DefaultPlatform when req has none), for what
// a request decides, such as LoadIndex.
func NewPlanRequest(req plan.Request, targets ...PlanTarget) *plan.Plan {
	if req.DefaultPlatform == "" {
		req.DefaultPlatform = DefaultPlatform
	}
	def := &bake.Definition{}
	for _, pt := range targets {
		t := pt.Target
		if t == nil {
			df := pt.Name + ".Dockerfile"
			t = &bake.Target{Dockerfile: &df}
		}
		t.Name = pt.Name
		if len(pt.Platforms) > 0 {
			t.Platforms = pt.Platforms
		}
		if len(pt.Links) > 0 {
			ctxs := make(map[string]string, len(t.Contexts)+len(pt.Links))
			maps.Copy(ctxs, t.Contexts)
			for name, dep := range pt.Links {
				ctxs[name] = "target:" + dep
			}
			t.Contexts = ctxs
		}
		if pt.Merge && !slices.ContainsFunc(t.Outputs, req.Merges) && !slices.ContainsFunc(t.CacheTo, plan.MergedCache) {
			t.Outputs = append(t.Outputs, &bake.Export{Type: "registry"})
		}
		def.Targets = append(def.Targets, t)
	}
	p, diags := plan.New(def, req)
	if diags.HasErrors() {
		panic(fmt.Sprintf("executortest.NewPlan: the planner rejects the test targets: %v", diags))
	}
	merges := map[string]bool{}
	for _, n := range p.Nodes {
		if n.Kind == plan.KindMerge {
			merges[n.Target] = true
		}
	}
	for _, pt := range targets {
		if merges[pt.Name] != pt.Merge {
			panic(fmt.Sprintf("executortest.NewPlan: target %s: Merge is %v, but the plan has a merge node: %v",
				pt.Name, pt.Merge, merges[pt.Name]))
		}
	}
	return p
}
