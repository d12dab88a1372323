package dockerfile

import (
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Fetched returns the ADD sources of stages (a build's, from Stages) that
// the build fetches itself: a URL or a git repository without
// --checksum, or a source with a variable, which may expand to one. Their
// content is known only when the build fetches them, so no input digest
// can cover them. The images a build reads are Images'.
func (d *File) Fetched(stages []Stage) []string {
	var out []string
	for _, s := range stages {
		if s.Replaced {
			continue
		}
		for _, c := range d.stages[s.Index].Commands {
			add, ok := c.(*instructions.AddCommand)
			if !ok || add.Checksum != "" {
				continue
			}
			for _, src := range add.SourcePaths {
				if strings.Contains(src, "://") || strings.HasPrefix(src, "git@") || strings.Contains(src, "$") {
					out = append(out, src)
				}
			}
		}
	}
	return out
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
