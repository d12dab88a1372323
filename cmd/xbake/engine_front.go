//go:build xbakefront

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/plan"
)

// This is the front build (see engine.go): what it does not link, it
// hands over to xbake-engine.

// toEngine replaces this process with xbake-engine, given the same
// arguments, environment and open files; it returns only when that fails.
func (a *app) toEngine() error {
	path, err := enginePath(a)
	if err != nil {
		return &exitError{code: exitFailure, msg: err.Error()}
	}
	args := append([]string{path}, os.Args[1:]...)
	env := os.Environ()
	if a.debug {
		// The front printed the debug header already (startDebug).
		env = append(env, debugHeaderShownEnv+"=1")
	}
	err = syscall.Exec(path, args, env)
	return &exitError{code: exitFailure, msg: fmt.Sprintf("running %s: %v", path, err)}
}

// enginePath finds the full build: $XBAKE_ENGINE, else xbake-engine next
// to this executable (or next to the file it links to), else on PATH.
func enginePath(a *app) (string, error) {
	if p := a.getenv("XBAKE_ENGINE"); p != "" {
		return p, nil
	}
	self, err := os.Executable()
	if err == nil {
		// Linux names the linked file, macOS the link: a docker-xbake
		// linked to an installed xbake finds the engine next to either.
		dirs := []string{filepath.Dir(self)}
		if target, err := filepath.EvalSymlinks(self); err == nil && filepath.Dir(target) != dirs[0] {
			dirs = append(dirs, filepath.Dir(target))
		}
		for _, d := range dirs {
			p := filepath.Join(d, engineName)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	if p, err := exec.LookPath(engineName); err == nil {
		return p, nil
	}
	return "", errors.New(missingEngine(self, currentBuild().Version))
}

// missingEngine says what to install, for each way of getting xbake,
// when the engine is nowhere: self is this executable's path.
func missingEngine(self, version string) string {
	dir, dest := "the folder of xbake", engineName+" next to xbake"
	if self != "" {
		dir = filepath.Dir(self)
		dest = filepath.Join(dir, engineName)
	}
	release := "the same release"
	if strings.HasPrefix(version, "v") {
		release += " (" + version + ")"
	}
	file := engineName + "-" + runtime.GOOS + "-" + runtime.GOARCH
	return "this command runs in " + engineName + ", the full build of xbake (builds, imagetools, builder, doctor, " +
		"Compose files and remote definitions do), which is neither in " + dir + " nor on PATH. Install it:\n" +
		"  from a release: " + file + " of " + release + ", saved as " + dest + "\n" +
		"  as a docker CLI plugin: the same file, saved as " + engineName + " next to docker-xbake in the cli-plugins folder\n" +
		"  from source: make build writes both to bin/ (go build ./cmd/xbake gives the full build alone, which needs no engine)\n" +
		"  or set XBAKE_ENGINE to its path"
}

// The full build's commands and readers, handed over.

// isComposeFile only sees *.hcl and *.json names: load handed the others
// to the engine (mayBeCompose), so loadCompose is never called.
func isComposeFile(string, []byte) bool { return false }

func loadCompose(*app, []xhcl.File, map[string]string, func(string) (string, bool), func(string) bool) (*bake.ComposeConfig, hcl.Diagnostics) {
	return &bake.ComposeConfig{}, nil
}

// remoteReadAllowed: remote definitions are the engine's (remoteDefinition).
func remoteReadAllowed([]string) func(string) bool { return nil }

// remoteDefinition: fetching a definition over git or http(s) links
// net/http and archive readers, and takes longer than the engine's start.
func (a *app) remoteDefinition(context.Context, string, []string) ([]xhcl.File, string, error) {
	return nil, "", a.toEngine()
}

// addDockerfiles: classifying solves reads Dockerfiles with BuildKit's
// parser (package dockerfile), which the front build does not link; a plan
// or graph with builder platforms or nodes is the engine's, handed over
// before the definition is read (needsEngine, graph). This only backs
// that up.
func (a *app) addDockerfiles(req *plan.Request) error {
	if len(req.BuilderPlatforms) == 0 && len(req.Nodes) == 0 {
		return nil
	}
	return a.toEngine()
}

// engineState: the front build asks registries nothing.
//
//lint:ignore U1000 app embeds it in both builds; only the full build's has fields to use.
type engineState struct{}

// checkImages: a plan of the front build has no images to check (the
// engine reads Dockerfiles, see addDockerfiles).
func (a *app) checkImages(context.Context, *plan.Plan, *diagPrinter) error { return nil }

func runBuild(_ context.Context, a *app, _ *runOptions, _ *bake.Definition, _ planFunc) error {
	return a.toEngine()
}

// planOnBuilders: --plan with --builder or --builders connects to the
// builder's nodes; runBake handed it over before reading definitions.
func planOnBuilders(_ context.Context, a *app, _ *bakeOptions, _ planFunc) error {
	return a.toEngine()
}

func newImagetoolsCmd(a *app) *cobra.Command { return engineCmd(a, imagetoolsUse, imagetoolsShort) }
func newBuilderCmd(a *app) *cobra.Command    { return engineCmd(a, builderUse, builderShort) }
func newDoctorCmd(a *app) *cobra.Command     { return engineCmd(a, doctorUse, doctorShort) }

// engineCmd is a full-build command as --help lists it; running it,
// asking for its help or completing its arguments runs the engine.
func engineCmd(a *app, use, short string) *cobra.Command {
	cmd := &cobra.Command{
		Use:                use,
		Short:              short,
		DisableFlagParsing: true,
		RunE:               func(*cobra.Command, []string) error { return a.toEngine() },
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
			_ = a.toEngine()
			return nil, cobra.ShellCompDirectiveError
		},
	}
	cmd.SetHelpFunc(func(*cobra.Command, []string) { _ = a.toEngine() })
	return cmd
}
