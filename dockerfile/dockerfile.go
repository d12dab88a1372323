package dockerfile

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// File is a Dockerfile as BuildKit's Dockerfile frontend reads it: parsed
// by its own parser and instructions packages, so every syntax the build
// accepts (continuations, heredocs, escape directives, flags) is read the
// same way. Parse a file once and ask Stages for each build of it; a File
// is never changed after parsing, so it may be shared by targets and
// goroutines.
type File struct {
	stages   []instructions.Stage
	metaArgs []instructions.ArgCommand
	escape   rune
	// byName maps a lower-case stage name to its index.
	byName map[string]int
	// argKeys are the build arguments that can change which stages a
	// build needs and their platforms: the global ARGs and the platform
	// arguments. Other build arguments reach RUN steps only.
	argKeys []string
	// single: BuildKit sees one stage, whose progress has no label.
	single bool
}

// Parse parses a Dockerfile. An error is a Dockerfile the build would
// reject too.
func Parse(data []byte) (*File, error) {
	res, err := parser.Parse(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		return nil, err
	}
	if len(stages) == 0 {
		return nil, fmt.Errorf("the Dockerfile has no FROM")
	}
	d := &File{stages: stages, metaArgs: metaArgs, escape: res.EscapeToken, byName: map[string]int{},
		single: singleState(stages)}
	for i, st := range stages {
		if st.Name != "" {
			d.byName[st.Name] = i // instructions lower-cases stage names
		}
	}
	d.argKeys = append(d.argKeys, platformArgs...)
	for _, a := range metaArgs {
		for _, kv := range a.Args {
			d.argKeys = append(d.argKeys, kv.Key)
		}
	}
	slices.Sort(d.argKeys)
	d.argKeys = slices.Compact(d.argKeys)
	return d, nil
}

// platformArgs are the arguments BuildKit defines for every build, which
// build arguments of the same name override.
var platformArgs = []string{
	"BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
	"TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT",
	"TARGETSTAGE",
}

// Build is one build of a Dockerfile, as the frontend is asked for it.
type Build struct {
	Target        string            // the stage to build; "" is the last one
	Args          map[string]string // build arguments
	Platform      ocispec.Platform  // the target platform
	BuildPlatform ocispec.Platform  // the platform of the builder
	// Contexts are the names of the build's named contexts (bake's
	// `contexts`): one of a stage's name replaces the stage, and FROM of
	// one reads the context instead of an image.
	Contexts []string
}

// Stage is one stage that a build needs.
type Stage struct {
	Index int    // position in the Dockerfile, from 0
	Name  string // lower-case; "" when unnamed
	Line  int    // of its FROM instruction
	// From is the image the stage starts from, build arguments expanded
	// ("golang:1.26", "scratch"), or "" when it starts from another stage
	// of the Dockerfile, FromStage.
	From      string
	FromStage int // -1 when From is an image
	// FromContext: From names a named context of the build, not an image.
	FromContext bool
	// Replaced: a named context of the stage's name replaces it, so
	// nothing of it runs and it needs nothing (From is "").
	Replaced bool
	// FilesOnly: the build uses the stage only through COPY --from or
	// RUN --mount=from, never as the base of the target stage, so its
	// platform is free (FROM --platform=$BUILDPLATFORM does not change
	// the result's platform).
	FilesOnly bool
	// Label is how BuildKit's progress names the stage: its name,
	// "stage-N" when it has none, "" when the Dockerfile has one stage.
	Label string
	// Platform is what the stage is built for: FROM --platform expanded,
	// else the platform of the stage it starts from, else the target
	// platform. Its RUN steps run on it.
	Platform ocispec.Platform
	// Runs are its RUN steps, with the ONBUILD RUN triggers of the stage
	// it starts from, which run here.
	Runs []Run
	// Sources are what its COPY --from and RUN --mount=from read that is
	// no stage: an image, or a named context.
	Sources []Source
}

// Source is an image or named context that a stage reads files from.
// BuildKit pulls such an image for the target platform, whatever the
// stage's own platform.
type Source struct {
	Name     string // as written after --from
	Line     int
	Platform ocispec.Platform // the target platform
}

// Run is one RUN step of a stage.
type Run struct {
	Stage int // the index of the stage it runs in
	Line  int // of the RUN (or of the ONBUILD that declares it)
	// Command is the instruction as written, continuations joined
	// ("RUN go build -o /app ."); for an ONBUILD trigger, its RUN.
	Command string
	// Step is how BuildKit's progress names the step, up to the
	// instruction ("[build 3/4] "), so that its vertex can be found; ""
	// for an ONBUILD trigger, whose number depends on the base image.
	Step string
	// Toolchain is the known compiler or package manager the step runs
	// ("go build", "cargo build", ...; see Toolchains), or "".
	Toolchain string
}

// Stages returns the stages that build b needs, in Dockerfile order, as
// the frontend resolves them: the global ARGs and the platform arguments
// expanded in FROM, a stage reached from the target through FROM, COPY
// --from and RUN --mount=from. An error is a build the frontend would
// reject (an unknown target stage, a variable in COPY --from, a platform
// that does not parse).
func (d *File) Stages(b Build) ([]Stage, error) {
	env, err := d.globalArgs(b)
	if err != nil {
		return nil, err
	}
	lex := shell.NewLex(d.escape)
	out := make([]Stage, len(d.stages))
	for i, st := range d.stages {
		s := Stage{Index: i, Name: st.Name, FromStage: -1, Line: line(st.Location), Label: d.label(i)}
		if st.Name != "" && hasContext(b.Contexts, st.Name) {
			s.Replaced, s.Platform = true, b.Platform
			if st.Platform != "" {
				// The context is pulled for the stage's own platform.
				if p, err := lex.ProcessWordWithMatches(st.Platform, env); err == nil {
					if pp, err := platforms.Parse(p.Result); err == nil {
						s.Platform = pp
					}
				}
			}
			out[i] = s
			continue
		}
		name, err := lex.ProcessWordWithMatches(st.BaseName, env)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", s.Line, err)
		}
		// As BuildKit: only an earlier stage, named exactly.
		if j, ok := d.byName[name.Result]; ok && j < i {
			s.FromStage = j
			s.Platform = out[j].Platform
			s.Runs = onBuildRuns(d.stages[j], i, s.Line)
		} else {
			s.From = name.Result
			s.FromContext = hasContext(b.Contexts, name.Result)
			s.Platform = b.Platform
			if st.Platform != "" {
				p, err := lex.ProcessWordWithMatches(st.Platform, env)
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", s.Line, err)
				}
				if s.Platform, err = platforms.Parse(p.Result); err != nil {
					return nil, fmt.Errorf("line %d: FROM --platform=%s: %w", s.Line, st.Platform, err)
				}
			}
		}
		s.Runs = append(s.Runs, d.runs(i, s)...)
		s.Sources = d.sources(i, b.Platform)
		out[i] = s
	}
	target := len(d.stages) - 1
	if b.Target != "" {
		j, ok := d.byName[strings.ToLower(b.Target)]
		if !ok {
			return nil, fmt.Errorf("target stage %q could not be found", b.Target)
		}
		target = j
	}
	need := make([]bool, len(d.stages))
	if err := d.reach(target, out, need); err != nil {
		return nil, err
	}
	// The target and the stages it is built on are the image; the others
	// only give it files.
	base := make([]bool, len(d.stages))
	for j := target; j >= 0 && !base[j]; j = out[j].FromStage {
		base[j] = true
	}
	kept := out[:0]
	for i, s := range out {
		if need[i] {
			s.FilesOnly = !base[i]
			kept = append(kept, s)
		}
	}
	return kept, nil
}

// reach marks stage i and every stage it needs.
func (d *File) reach(i int, stages []Stage, need []bool) error {
	if need[i] {
		return nil
	}
	need[i] = true
	if stages[i].Replaced {
		return nil
	}
	if j := stages[i].FromStage; j >= 0 {
		if err := d.reach(j, stages, need); err != nil {
			return err
		}
	}
	for _, c := range d.stages[i].Commands {
		if c, ok := c.(*instructions.CopyCommand); ok && strings.Contains(c.From, "$") {
			return fmt.Errorf("line %d: variable expansion is not supported for --from", line(c.Location()))
		}
		for _, from := range sourcesOf(c) {
			j, ok := d.byName[strings.ToLower(from)]
			if !ok {
				n, err := strconv.Atoi(from)
				if err != nil {
					continue // an image, not a stage
				}
				if n < 0 || n >= len(d.stages) {
					return fmt.Errorf("line %d: invalid stage index %d", line(c.Location()), n)
				}
				j = n
			}
			if err := d.reach(j, stages, need); err != nil {
				return err
			}
		}
	}
	return nil
}

// globalArgs are the arguments FROM lines see: the platform arguments,
// then the global ARGs, each overridden by a build argument of its name.
// It copies what it expands: the parsed Dockerfile stays as it was.
func (d *File) globalArgs(b Build) (shell.EnvGetter, error) {
	target := b.Target
	if target == "" {
		target = d.stages[len(d.stages)-1].Name
	}
	if target == "" {
		target = "default"
	}
	bp, tp := b.BuildPlatform, b.Platform
	vals := map[string]string{
		"BUILDPLATFORM": platforms.Format(bp), "BUILDOS": bp.OS, "BUILDOSVERSION": bp.OSVersion,
		"BUILDARCH": bp.Architecture, "BUILDVARIANT": bp.Variant,
		"TARGETPLATFORM": platforms.FormatAll(tp), "TARGETOS": tp.OS, "TARGETOSVERSION": tp.OSVersion,
		"TARGETARCH": tp.Architecture, "TARGETVARIANT": tp.Variant,
		"TARGETSTAGE": target,
	}
	env := make([]string, 0, len(platformArgs)+len(d.metaArgs))
	for _, k := range platformArgs {
		v := vals[k]
		if ov, ok := b.Args[k]; ok {
			v = ov
		}
		env = append(env, k+"="+v)
	}
	lex := shell.NewLex(d.escape)
	for _, a := range d.metaArgs {
		for _, kv := range a.Args {
			v, ok := b.Args[kv.Key]
			if !ok {
				if kv.Value == nil {
					continue // declared without a value: unset
				}
				res, err := lex.ProcessWordWithMatches(*kv.Value, shell.EnvsFromSlice(env))
				if err != nil {
					return nil, fmt.Errorf("line %d: %w", line(a.Location()), err)
				}
				v = res.Result
			}
			env = slices.DeleteFunc(env, func(e string) bool { return strings.HasPrefix(e, kv.Key+"=") })
			env = append(env, kv.Key+"="+v)
		}
	}
	return shell.EnvsFromSlice(env), nil
}

// onBuildRuns are the ONBUILD RUN triggers of stage base, which run in
// the stage at index in that starts from it.
func onBuildRuns(base instructions.Stage, in, fromLine int) []Run {
	var out []Run
	for _, c := range base.Commands {
		ob, ok := c.(*instructions.OnbuildCommand)
		if !ok {
			continue
		}
		expr := strings.TrimSpace(ob.Expression)
		word, rest, _ := strings.Cut(expr, " ")
		if strings.EqualFold(word, "RUN") {
			out = append(out, Run{Stage: in, Line: fromLine, Command: expr, Toolchain: toolchain(rest)})
		}
	}
	return out
}

func hasContext(contexts []string, name string) bool {
	return slices.ContainsFunc(contexts, func(c string) bool { return strings.EqualFold(c, name) })
}

// cacheKey returns the part of b that decides its Stages: two builds with
// the same key need the same stages on the same platforms, whatever their
// other build arguments (which reach RUN steps only).
func (d *File) cacheKey(b Build) string {
	var sb strings.Builder
	sb.WriteString(b.Target)
	sb.WriteByte(0)
	sb.WriteString(strconv.Itoa(len(b.Contexts)))
	for _, c := range b.Contexts {
		sb.WriteByte(0)
		sb.WriteString(c)
	}
	for _, p := range []ocispec.Platform{b.Platform, b.BuildPlatform} {
		sb.WriteByte(0)
		sb.WriteString(platforms.FormatAll(p))
	}
	for _, k := range d.argKeys {
		if v, ok := b.Args[k]; ok {
			sb.WriteByte(0)
			sb.WriteString(k)
			sb.WriteByte('=')
			sb.WriteString(v)
		}
	}
	return sb.String()
}

func line(r []parser.Range) int {
	if len(r) == 0 {
		return 0
	}
	return r[0].Start.Line
}
