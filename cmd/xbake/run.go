package main

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/spf13/pflag"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

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
	atomic    bool
}

func (o *runOptions) addFlags(f *pflag.FlagSet) {
	f.StringVar(&o.builder, "builder", "", "BuildKit address (unix://, tcp://); default $BUILDKIT_HOST or "+executor.DefaultBuildKitHost)
	f.StringVar(&o.builders, "builders", "", "JSON file listing several BuildKit nodes: [{\"name\", \"endpoint\", \"platforms\", \"tls\"}]")
	f.IntVarP(&o.parallel, "parallel", "j", 0, "Run at most N solves at once (0: no bound)")
	// buildx's name for the same bound.
	f.IntVar(&o.parallel, "jobs", 0, "Same as --parallel")
	_ = f.MarkHidden("jobs")
	f.BoolVar(&o.keepGoing, "keep-going", false, "Go on with independent targets after a failure; dependents of a failed node are skipped")
	f.IntVar(&o.retries, "retries", 3, "Retry transient registry and connection errors N times with backoff (build errors are never retried)")
	f.StringVar(&o.progress, "progress", "auto", "Progress output: auto, tty, plain, rawjson or quiet")
	f.StringVar(&o.metadata, "metadata-file", "", "Write build results (digests, descriptors, image names) as JSON to this file on success")
	f.BoolVar(&o.atomic, "atomic", false, "Publish no tag unless every build of the run succeeds: images are pushed by digest, and every target's tags are written at the end")
	f.StringArrayVar(&o.allow, "allow", nil, "Grant a privilege: network.host, security.insecure, fs=PATH, fs.read=PATH, fs.write=PATH (repeatable)")
}

// memoryLimit is the Go runtime's soft memory limit during a build.
const memoryLimit = 96 << 20

// planFunc plans def for the builders' platforms. It renders its own
// diagnostics and returns an *exitError (code 2) when the plan is invalid.
type planFunc func(req plan.Request) (*plan.Plan, error)

// runBuild connects to the builders, plans def with their platforms
// through newPlan, runs the plan, and renders progress and the summary.
func runBuild(ctx context.Context, a *app, o *runOptions, def *bake.Definition, newPlan planFunc) error {
	if o.progress == "none" {
		o.progress = string(progressui.QuietMode) // buildx's other name for it
	}
	switch progressui.DisplayMode(o.progress) {
	case progressui.AutoMode, progressui.TtyMode, progressui.PlainMode, progressui.RawJSONMode, progressui.QuietMode:
	default:
		return usageErrorf("invalid --progress %q: use auto, tty, plain, rawjson or quiet", o.progress)
	}
	if o.parallel < 0 || o.retries < 0 {
		return usageErrorf("--parallel and --retries take a number ≥ 0")
	}
	if _, set := a.lookupEnv("GOMEMLIMIT"); !set {
		// Many concurrent solves each stream outputs through the client;
		// a soft limit makes the GC keep peak memory down (50 local
		// outputs: 108-146 MB without, 89-110 MB with) at a small CPU cost.
		debug.SetMemoryLimit(memoryLimit)
	}
	wd, err := a.getwd()
	if err != nil {
		return err
	}
	cfgs, err := o.builderConfigs(a, wd)
	if err != nil {
		return err
	}
	bs, err := executor.Connect(ctx, cfgs)
	if err != nil {
		return &exitError{code: exitFailure, msg: fmt.Sprintf("%v\nStart BuildKit (scripts/stack.sh up) or point --builder/BUILDKIT_HOST at a running one.", err)}
	}
	defer bs.Close()

	p, err := newPlan(plan.Request{DefaultPlatform: bs.DefaultPlatform(), BuilderPlatforms: bs.NativePlatforms(), Atomic: o.atomic})
	if err != nil {
		return err
	}
	if err := executor.CheckEntitlements(p, o.allow, wd); err != nil {
		return usageErrorf("%v", err)
	}
	red := executor.NewRedactor(secretValues(a, def, wd))
	bkOpt := executor.BuildKitOptions{
		WorkDir:      wd,
		DockerConfig: a.getenv("DOCKER_CONFIG"),
		DockerHost:   a.getenv("DOCKER_HOST"),
		Getenv:       a.getenv,
	}
	if o.metadata != "" {
		bkOpt.MetadataProvenance = executor.ParseMetadataProvenance(a.getenv("BUILDX_METADATA_PROVENANCE"))
	}
	bk, err := executor.NewBuildKit(ctx, bs, p, bkOpt)
	if err != nil {
		return &exitError{code: exitFailure, msg: red.String(err.Error())}
	}
	defer bk.Close()

	regOpts := []oci.Option{oci.WithRetries(o.retries), oci.WithInsecureRegistries(executor.InsecureRegistries(p)...)}
	if dc := a.getenv("DOCKER_CONFIG"); dc != "" {
		regOpts = append(regOpts, oci.WithDockerConfig(dc))
	}
	disp, err := newProgress(ctx, a.stderr, progressui.DisplayMode(o.progress), red)
	if err != nil {
		return usageErrorf("--progress=%s: %v", o.progress, err)
	}
	warns := &warnings{}
	var pub executor.Publisher = &executor.Merger{Registry: oci.NewClient(regOpts...), WorkDir: wd}
	events := warns.wrap(disp.event)
	if o.atomic {
		gate := executor.NewAtomicGate(p, pub)
		pub, events = gate, gate.Events(events)
	}
	e := &executor.Executor{
		Solver:    bk,
		Publisher: pub,
		Parallel:  o.parallel,
		KeepGoing: o.keepGoing,
		Retries:   o.retries,
		Events:    events,
	}
	rep, runErr := e.Run(ctx, p)
	disp.close()

	if rep != nil {
		writeSummary(a.stderr, rep, red)
	}
	if ctx.Err() != nil {
		// app.run turns a canceled context into exit code 130.
		return fmt.Errorf("build canceled; nothing more was published")
	}
	if runErr != nil {
		printFailures(a.stderr, rep, runErr, red)
		return &exitError{code: exitFailure}
	}
	if failed := printCallResults(a.stdout, rep, red); failed {
		return &exitError{code: exitFailure}
	}
	if o.metadata != "" {
		md := rep.Metadata()
		if on, _ := strconv.ParseBool(a.getenv("BUILDX_METADATA_WARNINGS")); on && len(warns.all()) > 0 && !calls(def) {
			md[warningsKey] = warns.all()
		}
		if err := writeMetadata(absFrom(wd, o.metadata), md, red); err != nil {
			return fmt.Errorf("--metadata-file: %w", err)
		}
	}
	return nil
}

// builderConfigs are the BuildKit nodes of the run: --builders, else
// --builder, else BUILDKIT_HOST, else BuildKit's default socket.
func (o *runOptions) builderConfigs(a *app, wd string) ([]executor.BuilderConfig, error) {
	if o.builders != "" {
		if o.builder != "" {
			return nil, usageErrorf("--builder and --builders are mutually exclusive")
		}
		cfgs, err := executor.LoadBuilders(absFrom(wd, o.builders))
		if err != nil {
			return nil, usageErrorf("--builders: %v", err)
		}
		return cfgs, nil
	}
	addr := o.builder
	if addr == "" {
		addr = a.getenv("BUILDKIT_HOST")
	}
	if addr == "" {
		addr = executor.DefaultBuildKitHost
	}
	return []executor.BuilderConfig{{Name: "default", Endpoint: addr}}, nil
}

func absFrom(wd, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}
