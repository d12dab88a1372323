//go:build xbakefront

package main

import (
	"context"

	"github.com/xbake/xbake/plan"
)

// planUnchanged: --plan --skip-unchanged asks the registry, which the
// front build does not link; runBake handed it over before reading the
// definition (needsEngine), and this only backs that up.
func (a *app) planUnchanged(context.Context, *runOptions, *plan.Plan, plan.Request, planFunc) (*plan.Plan, error) {
	return nil, a.toEngine()
}
