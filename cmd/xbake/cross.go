package main

import (
	"os"

	"github.com/xbake/xbake/dockerfile"
	"github.com/xbake/xbake/plan"
)

// addDockerfiles lets the planner read the targets' Dockerfiles, so that
// it can tell cross-compiled solves of a foreign platform from emulated
// ones. Only a request with builder platforms classifies solves; without
// them nothing is read. The reader reads a file only when a foreign solve
// asks, each path once and each content parsed once; one that cannot be
// read or parsed counts as emulated, and the build reports the problem.
func (a *app) addDockerfiles(req *plan.Request) {
	if len(req.BuilderPlatforms) == 0 {
		return
	}
	req.Dockerfiles = dockerfile.NewReader(func(p string) ([]byte, error) { return os.ReadFile(a.path(p)) })
}
