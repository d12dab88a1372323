package main

import (
	"context"
	"errors"

	"github.com/spf13/pflag"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// runOptions are the flags that control execution (not resolution).
type runOptions struct{}

func (o *runOptions) addFlags(f *pflag.FlagSet) {}

// planFunc plans def for the builders' platforms. It renders its own
// diagnostics and returns an *exitError (code 2) when the plan is invalid.
type planFunc func(req plan.Request) (*plan.Plan, error)

// runBuild connects to the builders, plans def with their platforms
// through newPlan, runs the plan, and renders progress and the summary.
func runBuild(ctx context.Context, a *app, o *runOptions, def *bake.Definition, newPlan planFunc) error {
	return errors.New("building is not implemented yet")
}
