//go:build !xbakefront

package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// connectBuilders resolves the builder and connects to its nodes; nodes
// that do not answer are in Builders.Down (see farmPlan).
func connectBuilders(ctx context.Context, a *app, o *builderFlags, wd string, timeout time.Duration) (*executor.Builders, error) {
	b, err := o.resolveBuilder(a, wd)
	if err != nil {
		return nil, err
	}
	cfgs := make([]executor.BuilderConfig, len(b.Nodes))
	for i, n := range b.Nodes {
		cfgs[i] = *n
	}
	bs, err := executor.ConnectWithin(ctx, cfgs, timeout)
	if err != nil && ctx.Err() != nil {
		return nil, err // interrupted: app.run gives the exit code
	}
	if err != nil {
		return nil, builderError(err)
	}
	return bs, nil
}

// farmPlan plans for the connected nodes (each solve's home node and how
// it runs there) and says, on stderr, what the run does without the nodes
// that did not answer and which declared platforms the nodes do not list;
// it fails when the plan needs a node that does not answer (a solve
// skipped as unchanged needs none). newPlan adds what does not depend on
// the nodes (--atomic, the Dockerfile reader, --skip-unchanged).
func farmPlan(a *app, bs *executor.Builders, loadIndex bool, newPlan planFunc) (*plan.Plan, error) {
	p, err := newPlan(plan.Request{DefaultPlatform: bs.DefaultPlatform(), Nodes: bs.PlanNodes(), LoadIndex: loadIndex})
	if err != nil {
		return nil, err
	}
	warnings, err := bs.CheckDown(p)
	if err != nil {
		return nil, builderError(err)
	}
	for _, w := range slices.Concat(warnings, bs.Warnings(), bs.PlanWarnings(p)) {
		fmt.Fprintf(a.stderr, "xbake: warning: %s\n", w)
	}
	return p, nil
}

// nodeTimeout is --node-timeout, else XBAKE_NODE_TIMEOUT, else the
// executor's default.
func (o *runOptions) resolveNodeTimeout(a *app) (time.Duration, error) {
	if o.nodeTimeout != 0 {
		if o.nodeTimeout < time.Second {
			return 0, usageErrorf("--node-timeout %s: use at least 1s", o.nodeTimeout)
		}
		return o.nodeTimeout, nil
	}
	v := a.getenv("XBAKE_NODE_TIMEOUT")
	if v == "" {
		return executor.DefaultNodeTimeout, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < time.Second {
		return 0, usageErrorf("XBAKE_NODE_TIMEOUT=%s: use a duration of at least 1s, as 30s or 2m", v)
	}
	return d, nil
}

// planOnBuilders is --plan with --builder or --builders: the plan for the
// builder's connected nodes, with each solve's intended node (with
// --explain, the RUN steps that run under QEMU on them).
func planOnBuilders(ctx context.Context, a *app, o *bakeOptions, newPlan planFunc) error {
	wd, err := a.getwd()
	if err != nil {
		return err
	}
	timeout, err := o.run.resolveNodeTimeout(a)
	if err != nil {
		return err
	}
	bs, err := connectBuilders(ctx, a, &o.run.builderFlags, wd, timeout)
	if err != nil {
		return err
	}
	defer bs.Close()
	var planned plan.Request
	p, err := farmPlan(a, bs, false, func(req plan.Request) (*plan.Plan, error) {
		planned = req
		p, err := newPlan(req)
		if err != nil || !o.run.skipUnchanged || o.explain {
			return p, err
		}
		return a.planUnchanged(ctx, &o.run, p, req, newPlan)
	})
	if err != nil {
		return err
	}
	if o.explain {
		return writeExplain(a.stdout, p, planned)
	}
	return p.WriteJSON(a.stdout)
}
