package main

import (
	"github.com/spf13/pflag"

	"github.com/xbake/xbake/plan"
)

// defaultBuildKitHost is executor.DefaultBuildKitHost, for the help text
// of the front build, which does not link the executor (a test keeps the
// two equal).
const defaultBuildKitHost = "unix:///run/buildkit/buildkitd.sock"

// runOptions are the flags that control execution (not resolution).
type runOptions struct {
	builder   string
	builders  string
	parallel  int
	keepGoing bool
	retries   int
	progress  string
	metadata  string
	allow     []string
}

func (o *runOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.builder, "builder", "", "BuildKit address (unix://, tcp://); default $BUILDKIT_HOST or "+defaultBuildKitHost)
	f.StringVar(&o.builders, "builders", "", "JSON file listing several BuildKit nodes: [{\"name\", \"endpoint\", \"platforms\", \"tls\"}]")
	f.IntVarP(&o.parallel, "parallel", "j", 0, "Run at most N solves at once (0: no bound)")
	// buildx's name for the same bound.
	f.IntVar(&o.parallel, "jobs", 0, "Same as --parallel")
	_ = f.MarkHidden("jobs")
	f.BoolVar(&o.keepGoing, "keep-going", false, "Go on with independent targets after a failure; dependents of a failed node are skipped")
	f.IntVar(&o.retries, "retries", 3, "Retry transient registry and connection errors N times with backoff (build errors are never retried)")
	f.StringVar(&o.progress, "progress", "auto", "Progress output: auto, tty, plain, rawjson or quiet (auto means $BUILDKIT_PROGRESS when set)")
	f.StringVar(&o.metadata, "metadata-file", "", "Write build results (digests, descriptors, image names) as JSON to this file on success")
	f.StringArrayVar(&o.allow, "allow", nil, "Grant a privilege: network.host, security.insecure, fs=PATH, fs.read=PATH, fs.write=PATH (repeatable)")
}

// planFunc plans def for the builders' platforms. It renders its own
// diagnostics and returns an *exitError (code 2) when the plan is invalid.
type planFunc func(req plan.Request) (*plan.Plan, error)
