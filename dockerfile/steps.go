package dockerfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BuildKit's Dockerfile frontend names the vertex of each step
// "[LABEL N/M] INSTRUCTION": LABEL is the stage's name, "stage-I" for an
// unnamed one, nothing when the build has a single stage; M counts the
// stage's FROM of an image, ADD, COPY, RUN and WORKDIR instructions, and
// N is the step's place among those that make a vertex (a WORKDIR of "/"
// makes none). label and runs repeat that naming (dockerfile2llb's
// prefixCommand), so that a run's progress can tell which vertex is
// which RUN step.

// label is the progress label of stage i.
func (d *File) label(i int) string {
	if d.single {
		return ""
	}
	if n := d.stages[i].Name; n != "" {
		return n
	}
	return "stage-" + strconv.Itoa(i)
}

// singleState reports whether BuildKit sees one stage only: the
// Dockerfile has one, and no COPY --from or RUN --mount=from names an
// image (each such image is a stage of its own to the frontend).
func singleState(stages []instructions.Stage) bool {
	if len(stages) != 1 {
		return false
	}
	for _, c := range stages[0].Commands {
		for _, from := range sourcesOf(c) {
			if _, err := strconv.Atoi(from); err != nil {
				return false // an image: stage 0 has no name to match
			}
		}
	}
	return true
}

// sourcesOf are the --from values of a COPY or of a RUN's mounts.
func sourcesOf(c instructions.Command) []string {
	var froms []string
	switch c := c.(type) {
	case *instructions.CopyCommand:
		if c.From != "" {
			froms = append(froms, c.From)
		}
	case *instructions.RunCommand:
		for _, m := range instructions.GetMounts(c) {
			if m.From != "" {
				froms = append(froms, m.From)
			}
		}
	}
	return froms
}

// runs are the RUN steps of stage i (s so far: its base), with the
// progress name of each.
func (d *File) runs(i int, s Stage) []Run {
	st := d.stages[i]
	total, n := 0, 0
	if s.FromStage < 0 && s.From != "scratch" {
		total, n = 1, 1 // the FROM step
	}
	numbered := true
	if s.FromStage >= 0 && hasOnBuild(d.stages[s.FromStage]) {
		// Triggers run first and take numbers of their own.
		numbered = false
	}
	for _, c := range st.Commands {
		switch c.(type) {
		case *instructions.AddCommand, *instructions.CopyCommand, *instructions.RunCommand, *instructions.WorkdirCommand:
			total++
		}
	}
	var out []Run
	for _, c := range st.Commands {
		switch c := c.(type) {
		case *instructions.AddCommand, *instructions.CopyCommand:
			n++
		case *instructions.WorkdirCommand:
			if c.Path != "/" {
				n++
			}
		case *instructions.RunCommand:
			n++
			r := Run{Stage: i, Line: line(c.Location()), Command: c.String(), Toolchain: toolchain(runText(c))}
			if numbered {
				r.Step = stepName(s.Label, n, total)
			}
			out = append(out, r)
		}
	}
	return out
}

// stepName is dockerfile2llb's "[label n/total] " prefix.
func stepName(label string, n, total int) string {
	var b strings.Builder
	b.WriteByte('[')
	if label != "" {
		b.WriteString(label)
		b.WriteByte(' ')
	}
	fmt.Fprintf(&b, "%*d/%d] ", int(1+math.Log10(float64(total))), n, total)
	return b.String()
}

func hasOnBuild(st instructions.Stage) bool {
	for _, c := range st.Commands {
		if _, ok := c.(*instructions.OnbuildCommand); ok {
			return true
		}
	}
	return false
}

// runText is what a RUN step executes: its command line and the bodies
// of its here-documents.
func runText(c *instructions.RunCommand) string {
	parts := append([]string(nil), c.CmdLine...)
	if !c.PrependShell {
		parts = []string{strings.Join(c.CmdLine, " ")} // exec form: one command
	}
	for _, f := range c.Files {
		parts = append(parts, f.Data)
	}
	return strings.Join(parts, "\n")
}

// sources are what the COPY --from and RUN --mount=from of stage i read
// that is no stage of the Dockerfile (by name, in any case, or index).
func (d *File) sources(i int, target ocispec.Platform) []Source {
	var out []Source
	for _, c := range d.stages[i].Commands {
		for _, from := range sourcesOf(c) {
			if _, ok := d.byName[strings.ToLower(from)]; ok {
				continue
			}
			if _, err := strconv.Atoi(from); err == nil || from == "scratch" {
				continue
			}
			out = append(out, Source{Name: from, Line: line(c.Location()), Platform: target})
		}
	}
	return out
}
