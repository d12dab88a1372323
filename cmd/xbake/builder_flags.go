//go:build !xbakefront

package main

import (
	"context"
	"slices"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/builder"
)

// resolveBuilder finds the builder: --builders FILE, else as buildx
// resolves --builder (package builder).
func (o *builderFlags) resolveBuilder(a *app, wd string) (*builder.Builder, error) {
	if o.builders != "" {
		if o.builder != "" {
			return nil, usageErrorf("--builder and --builders are mutually exclusive")
		}
		b, err := builder.LoadFile(absFrom(wd, o.builders), a.getenv)
		if err != nil {
			return nil, usageErrorf("--builders: %v", err)
		}
		return b, nil
	}
	tls := builder.TLS{CA: o.tlsCA, Cert: o.tlsCert, Key: o.tlsKey, ServerName: o.tlsServerName}
	b, err := builder.Resolve(builder.Options{Name: o.builder, TLS: tls, TLSDir: o.tlsDir, Getenv: a.getenv, WorkDir: wd})
	if err != nil {
		return nil, builderError(err)
	}
	return b, nil
}

// builderError gives a builder failure its exit code: 2 for configuration
// that cannot work, 1 for a builder that does not answer.
func builderError(err error) error {
	return &exitError{code: exitCode(err), msg: err.Error()}
}

func exitCode(err error) int {
	if builder.IsConfigError(err) {
		return exitUsage
	}
	return exitFailure
}

// loadIndex says whether a multi-platform --load becomes one image
// (plan.Request.LoadIndex): only when a multi-platform target loads into
// the engine and the engine keeps multi-platform images (containerd's
// image store). An engine that cannot be reached is reported when the
// build starts, with the rest.
func loadIndex(ctx context.Context, a *app, def *bake.Definition) bool {
	if def == nil || !slices.ContainsFunc(def.Targets, func(t *bake.Target) bool {
		return len(t.Platforms) > 1 && slices.ContainsFunc(t.Outputs, func(o *bake.Export) bool { return o.Type == "docker" && o.Dest == "" })
	}) {
		return false
	}
	e, err := builder.OpenEngine(ctx, a.getenv, "")
	if err != nil {
		return false
	}
	defer e.Close()
	return e.MultiPlatform
}
