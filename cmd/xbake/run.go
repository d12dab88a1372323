//go:build !xbakefront

package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"runtime/debug"
	"strconv"

	"github.com/moby/buildkit/util/progress/progressui"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// httpTimeouts bound silent registry and HTTP connections (a registry or
// a remote definition server that stops answering); tests shorten them.
var httpTimeouts = oci.DefaultTimeouts

// memoryLimit is the Go runtime's soft memory limit during a build.
const memoryLimit = 96 << 20

// runBuild connects to the builders, plans def with their platforms
// through newPlan, runs the plan, and renders progress and the summary.
func runBuild(ctx context.Context, a *app, o *runOptions, def *bake.Definition, newPlan planFunc) error {
	if o.progress == string(progressui.AutoMode) && a.getenv("BUILDKIT_PROGRESS") != "" {
		o.progress = a.getenv("BUILDKIT_PROGRESS") // buildx's default for --progress
	}
	if o.progress == "none" {
		o.progress = string(progressui.QuietMode) // buildx's other name for it
	}
	switch progressui.DisplayMode(o.progress) {
	case progressui.AutoMode, progressui.TtyMode, progressui.PlainMode, progressui.RawJSONMode, progressui.QuietMode:
	default:
		return usageErrorf("invalid --progress (or BUILDKIT_PROGRESS) %q: use auto, tty, plain, rawjson, quiet or none", o.progress)
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
	timeout, err := o.resolveNodeTimeout(a)
	if err != nil {
		return err
	}
	bs, err := connectBuilders(ctx, a, &o.builderFlags, wd, timeout)
	if err != nil {
		return err
	}
	defer bs.Close()

	// The plan for the connected nodes, then again without what the
	// registry has from the same inputs (--skip-unchanged); the digests
	// are also what the run's pushes record.
	var registry *oci.Client
	var records *executor.Records
	p, err := farmPlan(a, bs, loadIndex(ctx, a, def), func(req plan.Request) (*plan.Plan, error) {
		p, err := newPlan(req)
		if err != nil {
			return nil, err
		}
		registry = a.runRegistry(o, p)
		p, records, err = a.inputs(ctx, o, p, req, newPlan, registry, false)
		return p, err
	})
	if err != nil {
		return err
	}
	if err := executor.CheckEntitlements(p, o.allow, wd); err != nil {
		return usageErrorf("%v", err)
	}
	if err := executor.CheckStdout(p, true); err != nil {
		return usageErrorf("%v", err)
	}
	red := executor.NewRedactor(secretValues(a, def, wd))
	bkOpt := executor.BuildKitOptions{
		WorkDir:      wd,
		DockerConfig: a.getenv("DOCKER_CONFIG"),
		Getenv:       a.getenv,
		Stdout:       a.stdout,
	}
	if o.metadata != "" {
		bkOpt.MetadataProvenance = executor.ParseMetadataProvenance(a.getenv("BUILDX_METADATA_PROVENANCE"))
	}
	bkOpt.Records = records
	bk, err := executor.NewBuildKit(ctx, bs, p, bkOpt)
	if err != nil {
		// A docker context that does not exist is a configuration error.
		return &exitError{code: exitCode(err), msg: red.String(err.Error())}
	}
	defer bk.Close()

	sch := executor.NewScheduler(p, bs.Farm(), timeout)
	sch.Watch(ctx)
	defer sch.Close()
	disp, err := newProgress(ctx, a.stderr, progressui.DisplayMode(o.progress), red)
	if err != nil {
		return usageErrorf("--progress=%s: %v", o.progress, err)
	}
	disp.nodes = len(bs.Nodes)
	warns := &warnings{}
	var pub executor.Publisher = &executor.Merger{Registry: registry, WorkDir: wd, Stdout: a.stdout, Records: records}
	timer := newStepTimer()
	events := timer.wrap(warns.wrap(disp.event))
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
		Scheduler: sch,
	}
	rep, runErr := e.Run(ctx, p)
	disp.close()

	if rep != nil {
		// File outputs of the targets that fully succeeded appear now, all
		// together; the report then lists only what was written.
		if err := bk.Commit(rep); err != nil {
			runErr = errors.Join(runErr, err)
		}
		writeSummary(a.stderr, rep, red)
		writeVerified(a.stderr, rep, timer, red)
	}
	// The metadata file says what was published, also when the run failed
	// or was interrupted, and why nodes failed.
	var metaErr error
	if o.metadata != "" && rep != nil {
		md := rep.Metadata()
		if on, _ := strconv.ParseBool(a.getenv("BUILDX_METADATA_WARNINGS")); on && len(warns.all()) > 0 && !calls(def) {
			md[warningsKey] = warns.all()
		}
		if err := writeMetadata(absFrom(wd, o.metadata), md, red); err != nil {
			metaErr = fmt.Errorf("--metadata-file: %w", err)
		}
	}
	if ctx.Err() != nil {
		if metaErr != nil {
			fmt.Fprintf(a.stderr, "xbake: %v\n", metaErr)
		}
		// app.run turns a canceled context into exit code 130.
		return fmt.Errorf("build canceled; nothing more was published")
	}
	if runErr != nil {
		printFailures(a.stderr, rep, runErr, red)
		if a.debug {
			printStacks(a.stderr, rep, runErr, red)
		}
		return &exitError{code: runExitCode(rep, runErr), msg: errorText(metaErr)}
	}
	if failed := printCallResults(a.stdout, rep, red); failed {
		return &exitError{code: exitFailure, msg: errorText(metaErr)}
	}
	return metaErr
}

// runExitCode is 70 when a node failed because xbake itself panicked (a
// bug, as app.run says of a panic elsewhere), else 1.
func runExitCode(rep *executor.Report, runErr error) int {
	var pe *executor.PanicError
	if errors.As(runErr, &pe) {
		return exitInternal
	}
	if rep != nil {
		for _, nr := range rep.Nodes {
			if errors.As(nr.Err, &pe) {
				return exitInternal
			}
		}
	}
	return exitFailure
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func absFrom(wd, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(wd, p)
}
