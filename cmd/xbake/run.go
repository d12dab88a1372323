package main

import (
	"context"

	"github.com/spf13/pflag"

	"github.com/xbake/xbake/plan"
)

// runOptions are the flags that control execution (not resolution).
type runOptions struct{}

func (o *runOptions) addFlags(f *pflag.FlagSet) {}

// runPlan executes p and renders progress and the summary.
func runPlan(ctx context.Context, a *app, o *runOptions, p *plan.Plan) error {
	return nil
}
