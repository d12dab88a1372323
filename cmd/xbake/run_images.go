//go:build !xbakefront

package main

import (
	"context"
	"errors"
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// imageCache answers what a run asks registries about the images its
// builds pull, each reference once: the input digests want the digest a
// tag names, the base-image check the platforms it offers, and one
// request (the manifest) gives both. So a build that records its inputs,
// or skips unchanged targets, asks the registry nothing more than the
// check did, and the check of the plan that runs after --skip-unchanged's
// lookup asks nothing at all.
//
// Neither asker fails the run when a registry does not answer (the check
// warns, the digest is unknown and the target is built), so the lookups
// are tried twice at most, as the check always did, not --retries times.
type imageCache struct {
	client *oci.Client
	mu     sync.Mutex
	m      map[string]*imageAnswer
}

type imageAnswer struct {
	done chan struct{}
	in   *oci.Inspection
	err  error
}

// images is the run's imageCache; p's outputs name the registries that
// speak plain http (the same in every plan of the run).
func (a *app) images(p *plan.Plan) *imageCache {
	if a.imageCache == nil {
		c := a.registryClient(oci.WithRetries(1), oci.WithInsecureRegistries(executor.InsecureRegistries(p)...))
		a.imageCache = &imageCache{client: c, m: map[string]*imageAnswer{}}
	}
	return a.imageCache
}

// inspect asks the registry about ref once; concurrent askers wait for
// the first. An answer cut short by the asker's context (a run that only
// records its inputs bounds their time) is not kept: the next asker asks
// again.
func (c *imageCache) inspect(ctx context.Context, ref string) (*oci.Inspection, error) {
	for {
		c.mu.Lock()
		ans, asked := c.m[ref]
		if !asked {
			ans = &imageAnswer{done: make(chan struct{})}
			c.m[ref] = ans
		}
		c.mu.Unlock()
		if !asked {
			ans.in, ans.err = c.client.Inspect(ctx, ref)
			if ans.err != nil && (errors.Is(ans.err, context.Canceled) || errors.Is(ans.err, context.DeadlineExceeded)) {
				c.mu.Lock()
				delete(c.m, ref)
				c.mu.Unlock()
			}
			close(ans.done)
			return ans.in, ans.err
		}
		select {
		case <-ans.done:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		if ans.err == nil || !(errors.Is(ans.err, context.Canceled) || errors.Is(ans.err, context.DeadlineExceeded)) {
			return ans.in, ans.err
		}
		// The first asker's context ended: ask again with ours.
	}
}

// ResolveImage implements digests.ImageResolver: the digest of what ref
// names (an index, or a single image's manifest).
func (c *imageCache) ResolveImage(ctx context.Context, ref string) (string, error) {
	in, err := c.inspect(ctx, ref)
	if err != nil {
		return "", err
	}
	return in.Digest.String(), nil
}

// Platforms is the base-image check's lookup (preflight.Check).
func (c *imageCache) Platforms(ctx context.Context, ref string) ([]ocispec.Platform, error) {
	in, err := c.inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	return in.Platforms()
}
