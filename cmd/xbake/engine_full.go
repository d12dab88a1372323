//go:build !xbakefront

package main

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/compose"
	"github.com/xbake/xbake/dockerfile"
	"github.com/xbake/xbake/executor"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
	"github.com/xbake/xbake/preflight"
)

// This is the full build of the CLI (the default, and xbake-engine when
// make builds the pair; see engine.go): it runs every command itself.

// engineState is the full build's part of app.
type engineState struct {
	// imageCache is what the run learned of images from registries
	// (run_images.go).
	imageCache *imageCache
}

// toEngine has nothing to hand over in the full build.
func (a *app) toEngine() error { return nil }

func isComposeFile(name string, data []byte) bool { return compose.IsFile(name, data) }

func loadCompose(a *app, files []xhcl.File, vars map[string]string, lookupEnv func(string) (string, bool), allowRead func(string) bool) (*bake.ComposeConfig, hcl.Diagnostics) {
	wd, _ := a.getwd()
	return compose.Load(files, compose.Options{Dir: wd, Vars: vars, LookupEnv: lookupEnv, Environ: a.environ, AllowRead: allowRead})
}

// remoteReadAllowed decides which local files a remote definition may
// read (a Compose env_file): those --allow fs.read grants.
func remoteReadAllowed(allow []string) func(string) bool {
	return func(p string) bool { return executor.ReadAllowed(allow, p) }
}

// addDockerfiles lets the planner read the targets' Dockerfiles, so that
// it can tell cross-compiled solves of a foreign platform from emulated
// ones, and list the images each solve pulls. Only a request with
// builder platforms or nodes classifies solves; without them nothing is
// read. The reader reads each path once (with the frontend's fallback to
// a lower-case dockerfile) and parses each content once, as the build
// and the input digests read it (inputs.ReadSmallFile); one that cannot
// be read or parsed counts as emulated, and the build reports the
// problem.
func (a *app) addDockerfiles(req *plan.Request) error {
	if len(req.BuilderPlatforms) > 0 || len(req.Nodes) > 0 {
		req.Dockerfiles = preflight.NewDockerfiles(dockerfile.NewReader(func(p string) ([]byte, error) { return inputs.ReadSmallFile(a.path(p)) }))
	}
	return nil
}
