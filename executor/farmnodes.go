package executor

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/plan"
)

// PlanNodes are the connected nodes as placement sees them
// (plan.Request.Nodes): native platforms, the others their workers list
// (emulated), and capacity.
func (bs *Builders) PlanNodes() []plan.BuilderNode {
	out := make([]plan.BuilderNode, 0, len(bs.Nodes))
	for _, b := range bs.Nodes {
		bn := plan.BuilderNode{Name: b.Name, Capacity: b.Capacity, Native: []string{}, Emulated: []string{}}
		for _, p := range b.Native {
			bn.Native = appendNew(bn.Native, platforms.Format(p))
		}
		for _, p := range b.Reported {
			if !matchAny(b.Native, p) {
				bn.Emulated = appendNew(bn.Emulated, platforms.Format(p))
			}
		}
		out = append(out, bn)
	}
	return out
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// Farm is the scheduler's view of the connected nodes: their capacity,
// and a health check (the node lists its workers).
func (bs *Builders) Farm() []FarmNode {
	out := make([]FarmNode, 0, len(bs.Nodes))
	for _, b := range bs.Nodes {
		c := b.Client
		out = append(out, FarmNode{Name: b.Name, Capacity: b.Capacity, Probe: func(ctx context.Context) error {
			_, err := c.ListWorkers(ctx)
			return err
		}})
	}
	return out
}

// placed reports whether p was placed on exactly the connected nodes:
// a plan names its nodes, and a placement on others (a plan made for
// another builder, or before a node went down) would send solves to
// nodes this run does not have.
func (bs *Builders) placed(p *plan.Plan) bool {
	if len(p.Builders) != len(bs.Nodes) {
		return false
	}
	for _, b := range p.Builders {
		if bs.byName(b.Name) == nil {
			return false
		}
	}
	return true
}

// byName finds a connected node.
func (bs *Builders) byName(name string) *Builder {
	for _, b := range bs.Nodes {
		if b.Name == name {
			return b
		}
	}
	return nil
}

// CheckDown decides about the nodes that did not answer: a run that has
// a solve no connected node can run (the plan's rule, plan.Plan.Runnable:
// natively, cross-compiling, or a platform its workers list; a solve
// skipped as unchanged needs none) needs them,
// and the error is the first such node's (its failure and remedy);
// otherwise each is one warning, and the run goes on without it (the
// warning names the node's platforms that now run emulated). A plan not
// placed on the connected nodes is placed on them first.
func (bs *Builders) CheckDown(p *plan.Plan) (warnings []string, err error) {
	if len(bs.Down) == 0 {
		return nil, nil
	}
	if !bs.placed(p) {
		p.Place(bs.PlanNodes())
	}
	var missing []string
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve || n.Solve.Unchanged || slices.Contains(missing, n.Platform) {
			continue // a solve skipped as unchanged needs no node
		}
		if !p.Runnable(n) {
			missing = append(missing, n.Platform)
		}
	}
	for _, d := range bs.Down {
		if len(missing) > 0 && (len(d.Config.Platforms) == 0 || slices.ContainsFunc(missing, func(m string) bool { return declares(d.Config.Platforms, m) })) {
			return nil, fmt.Errorf("the run needs builder node %s, for no other node can run %s: %w", d.Config.Name, strings.Join(missing, ", "), d.Err)
		}
	}
	for _, d := range bs.Down {
		how := " (no platform of the run needs it)"
		if em := emulatedFor(p, d.Config.Platforms); len(em) > 0 {
			// Not needed, but slower without it: say so.
			how = ", emulating " + strings.Join(em, ", ") + " on the other nodes"
		}
		warnings = append(warnings, fmt.Sprintf("builder node %s does not answer; the run goes on without it%s: %v", d.Config.Name, how, firstLine(d.Err)))
	}
	return warnings, nil
}

// emulatedFor lists, in plan order, the platforms declared for a node
// that the plan's solves run emulated elsewhere.
func emulatedFor(p *plan.Plan, declared []string) []string {
	var out []string
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve && !n.Solve.Unchanged && n.Exec == plan.ExecEmulated &&
			!slices.Contains(out, n.Platform) && declares(declared, n.Platform) {
			out = append(out, n.Platform)
		}
	}
	return out
}

// declares reports whether the platforms declared for a node, as the
// user wrote them ("linux/arm64/v8", "arm64"), include the canonical
// platform p of a solve.
func declares(declared []string, p string) bool {
	for _, d := range declared {
		if _, q, err := plan.ParsePlatform(strings.TrimSpace(d)); err == nil && q == p {
			return true
		}
	}
	return false
}

func firstLine(err error) string {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return s
}

// Warnings are what the start of a run says about the connected nodes:
// a platform declared for a node that its workers do not list (the node
// cannot run it, or only once QEMU is installed there).
func (bs *Builders) Warnings() []string {
	var out []string
	for _, b := range bs.Nodes {
		for _, p := range b.Declared {
			if !matchAny(b.Reported, p) {
				out = append(out, fmt.Sprintf("builder node %s is declared for %s, but its BuildKit does not list it (it lists %s); `xbake doctor` says how to fix it",
					b.Name, platforms.Format(p), formatPlatforms(b.Reported)))
			}
		}
	}
	return out
}

// PlanWarnings are what the start of a run says about where p runs: a
// foreign platform placed on a docker engine that tags any platform
// (builder.Node.TagsAnyPlatform), whose base images named by tag may be
// the engine's own images of another platform.
func (bs *Builders) PlanWarnings(p *plan.Plan) []string {
	var out []string
	for _, b := range bs.Nodes {
		if b.Config == nil || !b.Config.TagsAnyPlatform() {
			continue
		}
		var foreign []string
		for _, n := range p.Nodes {
			// Cross-compiled too: the final stage is the foreign platform's.
			if n.Kind == plan.KindSolve && n.Builder == b.Name && !n.Solve.Unchanged &&
				n.Exec != plan.ExecNative && !slices.Contains(foreign, n.Platform) {
				foreign = append(foreign, n.Platform)
			}
		}
		if len(foreign) > 0 {
			out = append(out, fmt.Sprintf("builder node %s builds %s on a docker engine with the classic image store, which takes a base image named by tag from its own images whatever their platform; "+
				"name base images by digest, or use a docker-container builder (see docs/compat.md)", b.Name, strings.Join(foreign, ", ")))
		}
	}
	return out
}

func formatPlatforms(ps []ocispec.Platform) string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = platforms.Format(p)
	}
	if len(out) == 0 {
		return "none"
	}
	return strings.Join(out, ", ")
}

// matchAny reports whether p is one of ps. OnlyStrict: linux/amd64 must
// not count as running linux/386.
func matchAny(ps []ocispec.Platform, p ocispec.Platform) bool {
	m := platforms.OnlyStrict(p)
	for _, q := range ps {
		if m.Match(q) {
			return true
		}
	}
	return false
}
