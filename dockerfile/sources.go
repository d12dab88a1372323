package dockerfile

import (
	"slices"
	"strconv"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Sources are what a build reads from outside its own inputs (the
// context, the Dockerfile, the build arguments): images and remote files.
type Sources struct {
	// Images are the images the needed stages read, FROM (build arguments
	// expanded), COPY --from and RUN --mount=from, not stages or named
	// contexts, nor scratch; sorted, each once.
	Images []string
	// Remote are the ADD sources fetched from a URL or a git repository
	// without --checksum, and ADD sources with a variable (which may be
	// one): their content is known only when the build fetches them.
	Remote []string
}

// Sources returns what build b of the Dockerfile reads besides its inputs,
// for the stages it needs (see Stages).
func (d *File) Sources(b Build) (*Sources, error) {
	stages, err := d.Stages(b)
	if err != nil {
		return nil, err
	}
	out := &Sources{}
	for _, s := range stages {
		if s.Replaced {
			continue
		}
		if s.FromStage < 0 && !s.FromContext && !strings.EqualFold(s.From, "scratch") {
			out.Images = append(out.Images, s.From)
		}
		for _, c := range d.stages[s.Index].Commands {
			switch c := c.(type) {
			case *instructions.CopyCommand:
				if d.isImage(c.From, b) {
					out.Images = append(out.Images, c.From)
				}
			case *instructions.RunCommand:
				for _, m := range instructions.GetMounts(c) {
					if d.isImage(m.From, b) {
						out.Images = append(out.Images, m.From)
					}
				}
			case *instructions.AddCommand:
				if c.Checksum != "" {
					continue
				}
				for _, src := range c.SourcePaths {
					if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") || strings.Contains(src, "$") {
						out.Remote = append(out.Remote, src)
					}
				}
			}
		}
	}
	slices.Sort(out.Images)
	out.Images = slices.Compact(out.Images)
	return out, nil
}

// isImage says whether a COPY --from or mount from= value names an image:
// not empty, not a stage (by name or index), not a named context.
func (d *File) isImage(from string, b Build) bool {
	if from == "" || hasContext(b.Contexts, from) {
		return false
	}
	if _, ok := d.byName[strings.ToLower(from)]; ok {
		return false
	}
	_, err := strconv.Atoi(from)
	return err != nil
}

// SyntaxImage is the frontend image a Dockerfile's `# syntax=` directive
// names, which BuildKit pulls and runs instead of its built-in frontend;
// "" when there is none.
func SyntaxImage(data []byte) string {
	ref, _, _, ok := parser.DetectSyntax(data)
	if !ok {
		return ""
	}
	return ref
}
