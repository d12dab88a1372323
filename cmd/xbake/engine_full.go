//go:build !xbakefront

package main

import (
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/compose"
	xhcl "github.com/xbake/xbake/hcl"
)

// This is the full build of the CLI (the default, and xbake-engine when
// make builds the pair; see engine.go): it runs every command itself.

// toEngine has nothing to hand over in the full build.
func (a *app) toEngine() error { return nil }

func isComposeFile(name string, data []byte) bool { return compose.IsFile(name, data) }

func loadCompose(a *app, files []xhcl.File, vars map[string]string, lookupEnv func(string) (string, bool)) (*bake.ComposeConfig, hcl.Diagnostics) {
	wd, _ := a.getwd()
	return compose.Load(files, compose.Options{Dir: wd, Vars: vars, LookupEnv: lookupEnv, Environ: a.environ})
}
