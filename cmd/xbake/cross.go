package main

import (
	"path/filepath"
	"strings"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// crossCompiled reads each target's Dockerfile and names the targets whose
// RUN steps all run on the build platform, so the plan marks their foreign
// platforms as cross-compiled rather than emulated. A Dockerfile that
// cannot be read (a remote context, a missing file) counts as emulated:
// the build itself reports a missing file.
func (a *app) crossCompiled(def *bake.Definition) map[string]bool {
	out := map[string]bool{}
	for _, t := range def.Targets {
		var data []byte
		switch {
		case t.DockerfileInline != nil:
			data = []byte(*t.DockerfileInline)
		case t.Context != nil && t.Dockerfile != nil && !bake.IsRemoteURL(*t.Context):
			df := strings.TrimPrefix(*t.Dockerfile, "cwd://")
			if !filepath.IsAbs(df) && !strings.HasPrefix(*t.Dockerfile, "cwd://") {
				df = filepath.Join(*t.Context, df)
			}
			b, err := readRegularFile(a.path(df), maxDefinitionFile)
			if err != nil {
				continue
			}
			data = b
		default:
			continue
		}
		stage := ""
		if t.Target != nil {
			stage = *t.Target
		}
		if plan.CrossCompiles(data, stage) {
			out[t.Name] = true
		}
	}
	return out
}
