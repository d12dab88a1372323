//go:build xbakefront

package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"

	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
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
	err = syscall.Exec(path, args, os.Environ())
	return &exitError{code: exitFailure, msg: fmt.Sprintf("running %s: %v", path, err)}
}

// enginePath finds the full build: $XBAKE_ENGINE, else xbake-engine next
// to this executable, else on PATH.
func enginePath(a *app) (string, error) {
	if p := a.getenv("XBAKE_ENGINE"); p != "" {
		return p, nil
	}
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), engineName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	if p, err := exec.LookPath(engineName); err == nil {
		return p, nil
	}
	return "", errors.New("this command runs in " + engineName + " (builds, imagetools, Compose files and remote definitions do): " +
		"install it next to xbake (make build puts both in bin/) or on PATH, or set XBAKE_ENGINE to its path")
}

// The full build's commands and readers, handed over.

// isComposeFile only sees *.hcl and *.json names: load handed the others
// to the engine (mayBeCompose), so loadCompose is never called.
func isComposeFile(string, []byte) bool { return false }

func loadCompose(*app, []xhcl.File, map[string]string, func(string) (string, bool)) (*bake.ComposeConfig, hcl.Diagnostics) {
	return &bake.ComposeConfig{}, nil
}

// remoteDefinition: fetching a definition over git or http(s) links
// net/http and archive readers, and takes longer than the engine's start.
func (a *app) remoteDefinition(context.Context, string, []string) ([]xhcl.File, string, error) {
	return nil, "", a.toEngine()
}

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
