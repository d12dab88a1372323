//go:build !xbakefront

package main

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/plan"
	"github.com/xbake/xbake/preflight"
)

// checkImages runs the base-image check on p before anything is built
// (a build, or --plan for a builder): every image a solve pulls must offer
// the platform it is pulled for. Its errors end the run with exit code 2;
// an image the registry does not answer for is a warning. A plan made
// without the targets' Dockerfiles (no builder platforms) has no images
// to check.
func (a *app) checkImages(ctx context.Context, p *plan.Plan, dp *diagPrinter) error {
	start := time.Now()
	diags := preflight.Check(ctx, p, a.images(p).Platforms, preflight.Options{})
	a.debugf("base-image check: %s", time.Since(start).Round(time.Millisecond))
	a.addSources(dp, diags)
	return dp.print(diags)
}

// addSources gives the rich diagnostics format the Dockerfiles that
// diags point into, for their snippets.
func (a *app) addSources(dp *diagPrinter, diags hcl.Diagnostics) {
	for _, d := range diags {
		if d.Subject == nil {
			continue
		}
		name := d.Subject.Filename
		if _, ok := dp.files[name]; ok {
			continue
		}
		if data, err := os.ReadFile(a.path(name)); err == nil {
			if dp.files == nil {
				dp.files = map[string]*hcl.File{}
			}
			dp.files[name] = &hcl.File{Bytes: data}
		}
	}
}
