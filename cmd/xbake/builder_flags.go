package main

import (
	"context"
	"slices"

	"github.com/spf13/pflag"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/builder"
)

// builderFlags choose the builder of a build or of `xbake doctor`.
type builderFlags struct {
	builder  string
	builders string
	tls      builder.TLS
	tlsDir   string
}

func (o *builderFlags) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.builder, "builder", "", "Builder: a buildx builder or docker context by name, or a BuildKit address (unix://, tcp://, docker-container://, kube-pod://, ssh://...); default $BUILDX_BUILDER, buildx's current builder, $BUILDKIT_HOST, "+builder.DefaultBuildKitHost)
	f.StringVar(&o.builders, "builders", "", "JSON file listing BuildKit addresses: [{\"name\", \"endpoint\", \"platforms\", \"tls\"}]")
	// buildctl's names; BUILDKIT_TLS* in the environment when none is given.
	f.StringVar(&o.tls.CA, "tlscacert", "", "CA certificate of a tcp:// builder address (or $BUILDKIT_TLSCACERT)")
	f.StringVar(&o.tls.Cert, "tlscert", "", "Client certificate for a tcp:// builder address (or $BUILDKIT_TLSCERT)")
	f.StringVar(&o.tls.Key, "tlskey", "", "Client key for a tcp:// builder address (or $BUILDKIT_TLSKEY)")
	f.StringVar(&o.tls.ServerName, "tlsservername", "", "Server name to verify a tcp:// builder's certificate against (default: the address's host; or $BUILDKIT_TLSSERVERNAME)")
	f.StringVar(&o.tlsDir, "tlsdir", "", "Folder with ca.pem, cert.pem and key.pem (or ca.crt, tls.crt, tls.key) for a tcp:// builder address (or $BUILDKIT_TLSDIR)")
}

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
	b, err := builder.Resolve(builder.Options{Name: o.builder, TLS: o.tls, TLSDir: o.tlsDir, Getenv: a.getenv, WorkDir: wd})
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
