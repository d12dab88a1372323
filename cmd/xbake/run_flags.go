package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/xbake/xbake/plan"
)

// defaultBuildKitHost is builder.DefaultBuildKitHost, for the help text
// of the front build, which does not link package builder (a test keeps
// the two equal).
const defaultBuildKitHost = "unix:///run/buildkit/buildkitd.sock"

// builderFlags choose the builder of a build or of `xbake doctor`
// (resolved in builder_flags.go, in the full build).
type builderFlags struct {
	builder  string
	builders string
	// tls are buildctl's --tlscacert, --tlscert, --tlskey,
	// --tlsservername and --tlsdir.
	tlsCA, tlsCert, tlsKey, tlsServerName, tlsDir string
}

func (o *builderFlags) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.builder, "builder", "", "Builder: a buildx builder or docker context by name, or a BuildKit address (unix://, tcp://, docker-container://, kube-pod://, ssh://...); default $BUILDX_BUILDER, buildx's current builder, $BUILDKIT_HOST, "+defaultBuildKitHost)
	f.StringVar(&o.builders, "builders", "", "JSON file listing BuildKit addresses: [{\"name\", \"endpoint\", \"platforms\", \"max_parallelism\", \"tls\"}]")
	// buildctl's names; BUILDKIT_TLS* in the environment when none is given.
	f.StringVar(&o.tlsCA, "tlscacert", "", "CA certificate of a tcp:// builder address (or $BUILDKIT_TLSCACERT)")
	f.StringVar(&o.tlsCert, "tlscert", "", "Client certificate for a tcp:// builder address (or $BUILDKIT_TLSCERT)")
	f.StringVar(&o.tlsKey, "tlskey", "", "Client key for a tcp:// builder address (or $BUILDKIT_TLSKEY)")
	f.StringVar(&o.tlsServerName, "tlsservername", "", "Server name to verify a tcp:// builder's certificate against (default: the address's host; or $BUILDKIT_TLSSERVERNAME)")
	f.StringVar(&o.tlsDir, "tlsdir", "", "Folder with ca.pem, cert.pem and key.pem (or ca.crt, tls.crt, tls.key) for a tcp:// builder address (or $BUILDKIT_TLSDIR)")
}

// runOptions are the flags that control execution (not resolution).
type runOptions struct {
	builderFlags
	parallel  int
	keepGoing bool
	retries   int
	progress  string
	metadata  string
	allow     []string
	atomic    bool
	// nodeTimeout is how long a builder node may not answer before its
	// solves move to another node (--node-timeout, XBAKE_NODE_TIMEOUT).
	nodeTimeout time.Duration
	// skipUnchanged is --skip-unchanged (skip.go).
	skipUnchanged bool
}

func (o *runOptions) addFlags(f *pflag.FlagSet) {
	o.builderFlags.addFlags(f)
	f.IntVarP(&o.parallel, "parallel", "j", 0, "Run at most N solves at once (0: no bound)")
	// buildx's name for the same bound.
	f.IntVar(&o.parallel, "jobs", 0, "Same as --parallel")
	_ = f.MarkHidden("jobs")
	f.BoolVar(&o.keepGoing, "keep-going", false, "Go on with independent targets after a failure; dependents of a failed node are skipped")
	f.IntVar(&o.retries, "retries", 3, "Retry transient registry and connection errors N times with backoff (build errors are never retried)")
	f.StringVar(&o.progress, "progress", "auto", "Progress output: auto, tty, plain, rawjson, quiet or none (auto means $BUILDKIT_PROGRESS when set)")
	f.StringVar(&o.metadata, "metadata-file", "", "Write build results (digests, descriptors, image names) as JSON to this file; after a failure, what was published and why nodes failed")
	f.BoolVar(&o.atomic, "atomic", false, "Publish no tag unless every build of the run succeeds: images are pushed by digest, and every target's tags are written at the end")
	f.DurationVar(&o.nodeTimeout, "node-timeout", 0, "A builder node that does not answer for this long is lost and its solves move to another node (default 30s, or $XBAKE_NODE_TIMEOUT)")
	f.BoolVar(&o.skipUnchanged, "skip-unchanged", false, "Build no target whose image, built from the same inputs, is in the registry already: point its tags at that image (with --plan: show what would be skipped, and what changed)")
	f.StringArrayVar(&o.allow, "allow", nil, "Grant a privilege: network.host, security.insecure, fs=PATH, fs.read=PATH, fs.write=PATH (repeatable)")
}

// planFunc plans def for the builders' platforms. It renders its own
// diagnostics and returns an *exitError (code 2) when the plan is invalid.
type planFunc func(req plan.Request) (*plan.Plan, error)
