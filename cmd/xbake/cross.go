package main

import (
	"os"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// addDockerfiles gives the planner the targets' Dockerfiles, so that it
// can tell cross-compiled solves of a foreign platform from emulated ones.
// Only a request with builder platforms classifies solves; without them
// nothing is read.
//
// Each file is read once and each distinct content parsed once: the
// targets of a matrix usually share one Dockerfile. A Dockerfile that
// cannot be read (a remote context, a missing file) or parsed is left out,
// so its target counts as emulated; the build reports the problem.
func (a *app) addDockerfiles(req *plan.Request, def *bake.Definition) {
	if len(req.BuilderPlatforms) == 0 {
		return
	}
	byPath := map[string]*plan.Dockerfile{}
	byContent := map[string]*plan.Dockerfile{}
	parse := func(data string) *plan.Dockerfile {
		df, ok := byContent[data]
		if !ok {
			df, _ = plan.ParseDockerfile([]byte(data))
			byContent[data] = df
		}
		return df
	}
	req.Dockerfiles = make(map[string]*plan.Dockerfile, len(def.Targets))
	for _, t := range def.Targets {
		var df *plan.Dockerfile
		if t.DockerfileInline != nil {
			df = parse(*t.DockerfileInline)
		} else if p, local := t.DockerfilePath(); local {
			p = a.path(p)
			cached, ok := byPath[p]
			if !ok {
				if data, err := os.ReadFile(p); err == nil {
					cached = parse(string(data))
				}
				byPath[p] = cached
			}
			df = cached
		}
		if df != nil {
			req.Dockerfiles[t.Name] = df
		}
	}
}
