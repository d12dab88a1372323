//go:build !xbakefront

package main

import (
	"context"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/digests"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// runRegistry is the build's registry client: --retries, and the
// registries p's outputs say speak plain http.
func (a *app) runRegistry(o *runOptions, p *plan.Plan) *oci.Client {
	return a.registryClient(oci.WithRetries(o.retries), oci.WithInsecureRegistries(executor.InsecureRegistries(p)...))
}

// inputs computes the input digests of p's solves: what the run's pushes
// record (every solve that pushes an image), and, with --skip-unchanged,
// every solve, then looks up the images already published from the same
// inputs and plans again with them (plan.Request.Unchanged). explain
// says what changed for the solves that run (--plan). It returns the
// plan to run and the records; a digest that cannot be computed records
// nothing, and its target is built.
func (a *app) inputs(ctx context.Context, o *runOptions, p *plan.Plan, req plan.Request, newPlan planFunc, reg *oci.Client, explain bool) (*plan.Plan, *executor.Records, error) {
	want := pushes
	if o.skipUnchanged {
		want = nil
	}
	if want != nil && !slices.ContainsFunc(p.Nodes, want) {
		return p, nil, nil
	}
	wd, err := a.getwd()
	if err != nil {
		return nil, nil, err
	}
	start := time.Now()
	hctx := ctx
	if !o.skipUnchanged {
		// Only for the records: a registry that is slow to answer about a
		// base image delays the build by at most this, and records nothing.
		var cancel context.CancelFunc
		hctx, cancel = context.WithTimeout(ctx, recordTimeout)
		defer cancel()
	}
	var labels sync.Map // context folder -> labels: git runs once per folder
	h := digests.NewHasher(digests.Options{WorkDir: wd, Getenv: a.getenv, Images: a.images(p),
		GitLabels: func(ctx context.Context, r *inputs.Request) map[string]string {
			key := r.Locals[inputs.MountContext] + "\x00" + r.Locals[inputs.MountDockerfile] + "\x00" + r.Attrs["filename"]
			if l, ok := labels.Load(key); ok {
				return l.(map[string]string)
			}
			l := executor.GitLabels(ctx, r, a.getenv)
			labels.Store(key, l)
			return l
		}})
	set, err := h.Plan(hctx, p, want)
	if err != nil && ctx.Err() == nil {
		a.debugf("no input records: %v after %s", err, time.Since(start).Round(time.Millisecond))
		return p, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	a.debugf("input digests of %d solves in %s (%d files, %d bytes read)", len(set.Solves), time.Since(start).Round(time.Millisecond),
		h.Stats().Files.Load(), h.Stats().Bytes.Load())
	rec := &executor.Records{Annotations: map[string]map[string]string{}, Tags: map[string]string{}}
	for _, id := range slices.Sorted(maps.Keys(set.Solves)) {
		if ann := set.Solves[id].Annotations(); ann != nil {
			rec.Annotations[id] = ann
		}
	}
	for _, name := range slices.Sorted(maps.Keys(set.Targets)) {
		if tag := set.Targets[name].Tag(); tag != "" {
			rec.Tags[name] = tag
		}
	}
	rec.Results = set.ResultRefs(p)
	if !o.skipUnchanged {
		return p, rec, nil
	}
	start = time.Now()
	found, err := set.Lookup(ctx, imageLookup{reg}, p, explain)
	if err != nil {
		return nil, nil, err
	}
	a.debugf("%d of %d targets unchanged, %d dependencies published, looked up in %s", len(found.Unchanged), len(set.Targets),
		len(found.Results), time.Since(start).Round(time.Millisecond))
	req.Unchanged, req.Inputs, req.Results = found.Unchanged, found.Inputs, found.Results
	p, err = newPlan(req)
	return p, rec, err
}

// recordTimeout bounds the input digests of a run that only records them.
const recordTimeout = 10 * time.Second

// pushes says whether n pushes an image for one of its targets.
func pushes(n *plan.Node) bool {
	if n.Kind != plan.KindSolve {
		return false
	}
	for i, t := range n.Solve.Targets {
		if n.Solve.Roles[i] != plan.RoleDependency && slices.ContainsFunc(t.Outputs, plan.PushedImage) {
			return true
		}
	}
	return false
}

// imageLookup is the registry as package digests asks it.
type imageLookup struct{ c *oci.Client }

func (l imageLookup) Image(ctx context.Context, ref string) (*digests.Image, error) {
	in, err := l.c.Lookup(ctx, ref)
	if err != nil || in == nil {
		return nil, err
	}
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return nil, err
	}
	desc := ocispec.Descriptor{MediaType: in.MediaType, Digest: in.Digest, Size: in.Size}
	img := &digests.Image{Ref: named.Name() + "@" + in.Digest.String(), Descriptor: desc,
		Manifests: map[string]ocispec.Descriptor{}, Annotations: in.Annotations}
	if in.Platform != nil {
		img.Manifests[plan.FormatPlatform(*in.Platform)] = desc
	}
	for _, m := range in.Manifests {
		if m.Attestation || m.Platform == nil {
			continue
		}
		pl := plan.FormatPlatform(*m.Platform)
		if _, seen := img.Manifests[pl]; !seen {
			img.Manifests[pl] = ocispec.Descriptor{MediaType: m.MediaType, Digest: m.Digest, Size: m.Size, Platform: m.Platform}
		}
	}
	return img, nil
}

// planUnchanged is --plan --skip-unchanged: the plan without what is
// published already, each solve with its input digest and what changed.
func (a *app) planUnchanged(ctx context.Context, o *runOptions, p *plan.Plan, req plan.Request, newPlan planFunc) (*plan.Plan, error) {
	p, _, err := a.inputs(ctx, o, p, req, newPlan, a.runRegistry(o, p), true)
	return p, err
}
