package main

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// The main command: --list, --print, --plan or a build. The flags are in
// bake_flags.go, reading and resolving the definition in load.go, the
// build in run.go (full build only).

func runBake(ctx context.Context, a *app, o *bakeOptions, targets []string) error {
	if err := o.checkModes(); err != nil {
		return err
	}
	onBuilders := o.plan && (o.run.builder != "" || o.run.builders != "")
	if o.readsOnly() && !onBuilders {
		offlineGC()
	}
	if o.needsEngine() {
		// The front build hands it over before it reads or prints
		// anything, so that the engine's warnings are not printed twice.
		if err := a.toEngine(); err != nil {
			return err
		}
	}
	if o.list != "" {
		return runList(ctx, a, o, targets)
	}
	l, def, err := a.resolve(ctx, o, targets)
	if err != nil {
		return err
	}
	if o.affectedSince != "" {
		if def, err = a.affectedSince(ctx, o, l, def); err != nil {
			return err
		}
	}
	if o.print {
		// buildx rejects bad platforms and `target:` links before it
		// prints; the rules are the planner's.
		if err := l.printer.print(plan.CheckLinks(def)); err != nil {
			return err
		}
		return def.WritePrint(a.stdout)
	}
	// Checked for builds and --plan, never for --print: buildx ignores
	// test blocks.
	tests, diags := l.cfg.Tests(def)
	if err := l.printer.print(diags); err != nil {
		return err
	}
	if !o.noTest {
		def.Tests = tests
	}
	newPlan := a.planner(ctx, o, l, def)
	switch {
	case onBuilders:
		// Where each solve would run: the builder's nodes answer first.
		return planOnBuilders(ctx, a, o, newPlan)
	case o.plan:
		return runPlan(ctx, a, o, newPlan)
	}
	if len(def.Targets) == 0 && o.affectedSince != "" {
		fmt.Fprintf(a.stderr, "xbake: no target is affected since %s: nothing to build\n", o.affectedSince)
		return nil
	}
	return runBuild(ctx, a, &o.run, def, newPlan)
}

// checkModes turns the deprecated --list-* flags into --list and refuses
// combinations of modes that mean nothing, before anything is read.
func (o *bakeOptions) checkModes() error {
	if o.list == "" && o.listTargets {
		o.list = "targets"
	}
	if o.list == "" && o.listVars {
		o.list = "variables"
	}
	switch {
	case o.listFormat != "" && o.list == "":
		return usageErrorf("--format applies to --list; use xbake graph --format for graphs")
	case o.print && o.list != "":
		return usageErrorf("--print and --list are mutually exclusive")
	case o.run.skipUnchanged && (o.print || o.list != ""):
		return usageErrorf("--skip-unchanged applies to builds and --plan, not to --print or --list")
	case o.explain && !o.plan:
		return usageErrorf("--explain applies to --plan: xbake --plan --explain [TARGET...]")
	}
	return nil
}

// runList is --list: the targets and groups, or the variables, of the
// loaded definition (only the affected targets with --affected-since).
func runList(ctx context.Context, a *app, o *bakeOptions, targets []string) error {
	lr, err := bake.ParseList(o.list)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if o.listFormat != "" {
		if o.listFormat != "table" && o.listFormat != "json" {
			return usageErrorf("invalid --format %q: use table or json", o.listFormat)
		}
		lr.Format = o.listFormat
	}
	l, err := a.load(ctx, o, targets)
	if err != nil {
		return err
	}
	if l.diags.HasErrors() {
		return l.printer.print(l.diags)
	}
	if o.affectedSince != "" && lr.Type == "targets" {
		if lr.Only, err = a.affectedList(ctx, o, l); err != nil {
			return err
		}
	}
	diags, err := abandonable(ctx, func() (hcl.Diagnostics, error) {
		return l.cfg.WriteList(a.stdout, lr)
	})
	if err != nil {
		return err
	}
	return l.printer.print(append(l.diags, diags...))
}

// planner returns the function that plans def for a request (the
// builder's platforms or nodes, what the registry has): it adds what
// the flags decide, reads the Dockerfiles, prints the plan's diagnostics
// and checks the base images.
func (a *app) planner(ctx context.Context, o *bakeOptions, l *loaded, def *bake.Definition) planFunc {
	return func(req plan.Request) (*plan.Plan, error) {
		req.Atomic = o.run.atomic
		// With --skip-unchanged the first plan is a draft that names the
		// solves to hash (skip.go); the plan that runs is made again with
		// what the registry has (req.Inputs), and only that one reads
		// Dockerfiles, prints its warnings and checks base images, so
		// that a skipped solve costs none of it.
		draft := o.run.skipUnchanged && !o.explain && req.Inputs == nil
		if !draft {
			if err := a.addDockerfiles(&req); err != nil {
				return nil, err
			}
		}
		p, diags := plan.New(def, req)
		if draft && !diags.HasErrors() {
			diags = nil
		}
		if err := l.printer.print(diags); err != nil {
			return nil, err
		}
		// Before anything is built: the base images have the platforms
		// they are pulled for.
		if !o.noPreflight && !draft {
			if err := a.checkImages(ctx, p, l.printer); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
}

// runPlan is --plan without a builder: the plan for this machine's
// platform (and --builder-platforms) as JSON, or its emulated steps
// (--explain); with --skip-unchanged, without what is published already.
func runPlan(ctx context.Context, a *app, o *bakeOptions, newPlan planFunc) error {
	req := o.offlineRequest()
	if o.explain && len(req.BuilderPlatforms) == 0 {
		req.BuilderPlatforms = []string{req.DefaultPlatform}
	}
	p, err := newPlan(req)
	if err != nil {
		return err
	}
	if o.explain {
		return writeExplain(a.stdout, p, req)
	}
	if o.run.skipUnchanged {
		if p, err = a.planUnchanged(ctx, &o.run, p, req, newPlan); err != nil {
			return err
		}
	}
	return p.WriteJSON(a.stdout)
}

// offlineGC makes the commands that only read the definition (--print,
// --list, --plan, graph) collect garbage more often: they build one large,
// short-lived heap, and a lower peak matters more than a few milliseconds
// (the 5,000-target --print peaks at 56 MB instead of 61).
func offlineGC() { debug.SetGCPercent(50) }
