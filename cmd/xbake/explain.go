package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/containerd/platforms"

	"github.com/xbake/xbake/plan"
)

// emulatedStep is one RUN step that runs under QEMU, with the solves that
// run it so: a matrix of many targets over one Dockerfile shows it once.
type emulatedStep struct {
	file   string
	run    plan.RunStep
	solves []string
}

// emulatedSteps groups the emulated RUN steps of p's solves by Dockerfile,
// line and platform, in plan order.
func emulatedSteps(p *plan.Plan) []*emulatedStep {
	var out []*emulatedStep
	index := map[string]*emulatedStep{}
	for _, n := range p.Nodes {
		if n.Solve == nil {
			continue
		}
		for _, r := range n.Solve.EmulatedRuns {
			k := fmt.Sprintf("%s\x00%d\x00%s", n.Solve.Dockerfile, r.Line, platforms.Format(r.Platform))
			st := index[k]
			if st == nil {
				st = &emulatedStep{file: n.Solve.Dockerfile, run: r}
				index[k] = st
				out = append(out, st)
			}
			st.solves = append(st.solves, n.ID)
		}
	}
	return out
}

// writeExplain prints `xbake --plan --explain`: how many solves of p,
// planned for req, are native, cross-compiled and emulated; then every RUN
// step that runs under QEMU, where it is (Dockerfile, line, stage), which
// solves run it, and, for a known toolchain, how to cross-compile instead.
func writeExplain(w io.Writer, p *plan.Plan, req plan.Request) error {
	var native, cross, emulated int
	for _, n := range p.Nodes {
		switch n.Exec {
		case plan.ExecNative:
			native++
		case plan.ExecCross:
			cross++
		case plan.ExecEmulated:
			emulated++
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "On %s: %d solves, %d native, %d cross-compiled, %d emulated.\n",
		explainedBuilder(req), native+cross+emulated, native, cross, emulated)
	steps := emulatedSteps(p)
	if len(steps) == 0 {
		b.WriteString("No RUN step runs under QEMU.\n")
	}
	for _, st := range steps {
		b.WriteString("\n")
		writeStep(&b, st, "")
	}
	// A solve is emulated without a step to show when its Dockerfile
	// could not be read here (a remote context, a file the build rejects).
	for _, n := range p.Nodes {
		if n.Exec == plan.ExecEmulated && len(n.Solve.EmulatedRuns) == 0 {
			fmt.Fprintf(&b, "\n%s: emulated; its Dockerfile could not be read here, so its steps are not known.\n", n.ID)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// explainedBuilder says what the plan was made for: the builder's nodes
// with the platforms each runs natively, or the builder platforms.
func explainedBuilder(req plan.Request) string {
	if len(req.Nodes) == 0 {
		return "a builder of " + strings.Join(req.BuilderPlatforms, ", ")
	}
	nodes := make([]string, len(req.Nodes))
	for i, n := range req.Nodes {
		nodes[i] = fmt.Sprintf("%s (%s)", n.Name, strings.Join(n.Native, ", "))
	}
	return "the nodes " + strings.Join(nodes, ", ")
}

// writeStep prints one emulated step, each line after the first indented
// by indent plus two spaces; took, when not empty, is its measured time.
func writeStep(b *strings.Builder, st *emulatedStep, took string) {
	r := st.run
	where := st.file
	if where == "" {
		where = "dockerfile-inline"
	}
	stage := ""
	if r.Stage != "" {
		stage = ", stage " + r.Stage
	}
	fmt.Fprintf(b, "%s:%d%s: under QEMU for %s%s\n", where, r.Line, stage, platforms.Format(r.Platform), took)
	fmt.Fprintf(b, "  %s\n", strings.Join(strings.Fields(r.Command), " "))
	if len(st.solves) > 0 {
		fmt.Fprintf(b, "  in %s\n", namesList(st.solves, 5))
	}
	if r.Advice != "" {
		fmt.Fprintf(b, "  %s under QEMU: %s\n", r.Toolchain, r.Advice)
	}
}

// namesList joins names, at most max of them, counting the rest.
func namesList(names []string, max int) string {
	if len(names) <= max {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:max], ", "), len(names)-max)
}
