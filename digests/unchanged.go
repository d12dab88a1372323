package digests

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// Image is what a registry has at a reference.
type Image struct {
	// Ref is "repo@sha256:...".
	Ref        string
	Descriptor ocispec.Descriptor
	// Manifests are the image manifests of an index, by canonical
	// platform (attestations left out); of a single image, its own.
	Manifests map[string]ocispec.Descriptor
	// Annotations are a single image manifest's.
	Annotations map[string]string
}

// Registry looks images up (executor/oci's Client, through the CLI).
type Registry interface {
	// Image returns what ref names, or nil without an error when it does
	// not exist.
	Image(ctx context.Context, ref string) (*Image, error)
}

// Found is what Lookup found in the registries: what plan.Request's
// Unchanged, Inputs and Results take.
type Found struct {
	Unchanged map[string]*plan.Reuse
	Inputs    map[string]plan.SolveInputs
	Results   map[string]string
}

// Lookup looks up, for every target of the set that only pushes to
// registries, the image its record tag names (record.go): a target found
// with every planned platform is unchanged, and Unchanged gives the image
// its tags are to point at. Inputs are the solves' digests, and, with
// explain, what changed for each solve of a target that is not unchanged,
// compared with the image at its first tag that exists. Results are the
// published results of the solves that only feed others (ResultRefs). A
// registry that does not answer makes a target changed, with the reason;
// only the context's end is an error.
func (s *Set) Lookup(ctx context.Context, reg Registry, p *plan.Plan, explain bool) (*Found, error) {
	targets := targetsOf(p)
	names := slices.Sorted(maps.Keys(s.Targets))
	verdicts := make([]verdict, len(names))
	refs := s.ResultRefs(p)
	deps := slices.Sorted(maps.Keys(refs))
	results := make([]string, len(deps))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(16)
	for i, name := range names {
		g.Go(func() error {
			verdicts[i] = s.check(gctx, reg, targets[name], s.Targets[name], explain)
			return nil
		})
	}
	for i, id := range deps {
		g.Go(func() error {
			// Not found, or not reachable: the dependency is built.
			if img, err := reg.Image(gctx, refs[id]); err == nil && img != nil {
				results[i] = img.Ref
			}
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	found := &Found{Results: map[string]string{}}
	for i, id := range deps {
		if results[i] != "" {
			found.Results[id] = results[i]
		}
	}
	unchanged := map[string]*plan.Reuse{}
	in := map[string]plan.SolveInputs{}
	for id, sv := range s.Solves {
		si := plan.SolveInputs{Digest: sv.Digest}
		if sv.Unknown != "" {
			si.Changed = []string{"cannot tell: " + sv.Unknown}
		}
		in[id] = si
	}
	for i, name := range names {
		v := verdicts[i]
		if v.reuse != nil {
			unchanged[name] = v.reuse
			continue
		}
		for _, id := range s.Targets[name].Solves {
			si := in[id]
			if len(si.Changed) == 0 {
				si.Changed = v.changed[id]
			}
			in[id] = si
		}
	}
	found.Unchanged, found.Inputs = unchanged, in
	return found, nil
}

// ResultRefs are where the results of p's dependency solves (every target
// they serve is linked: nothing else publishes them) are recorded, by node
// ID: "repo:xbake-result-<hex>" in the first repository a solve reading
// them pushes to (the readers in plan order, their targets by name, their
// registry outputs in order; readers that push nothing pass it on to
// theirs). A solve without a digest, or read by nothing that pushes, has
// none.
func (s *Set) ResultRefs(p *plan.Plan) map[string]string {
	readers := map[string][]*plan.Node{}
	for _, n := range p.Nodes {
		if n.Kind == plan.KindSolve {
			for _, l := range n.Solve.Links {
				readers[l.Node] = append(readers[l.Node], n)
			}
		}
	}
	var repoOf func(id string, seen map[string]bool) string
	repoOf = func(id string, seen map[string]bool) string {
		for _, r := range readers[id] {
			if seen[r.ID] {
				continue
			}
			seen[r.ID] = true
			for i, t := range r.Solve.Targets {
				if r.Solve.Roles[i] == plan.RoleDependency || unskippable(t) != "" {
					continue
				}
				if _, repo, err := registryTags(t); err == nil {
					return repo
				}
			}
			if repo := repoOf(r.ID, seen); repo != "" {
				return repo
			}
		}
		return ""
	}
	out := map[string]string{}
	for _, n := range p.Nodes {
		sv := s.Solves[n.ID]
		if n.Kind != plan.KindSolve || n.Solve.Role != plan.RoleDependency || sv == nil || sv.Result == "" {
			continue
		}
		if repo := repoOf(n.ID, map[string]bool{}); repo != "" {
			out[n.ID] = repo + ":" + ResultPrefix + strings.TrimPrefix(sv.Result, "sha256:")
		}
	}
	return out
}

// verdict is what a lookup found for one target.
type verdict struct {
	reuse   *plan.Reuse
	changed map[string][]string // by solve node ID
}

func (s *Set) check(ctx context.Context, reg Registry, t *bake.Target, tg *Target, explain bool) verdict {
	all := func(why ...string) verdict {
		v := verdict{changed: map[string][]string{}}
		for _, id := range tg.Solves {
			v.changed[id] = why
		}
		return v
	}
	if t == nil {
		return all("not requested")
	}
	if why := unskippable(t); why != "" {
		return all(why)
	}
	if tg.Unknown != "" {
		return all("cannot tell: " + tg.Unknown)
	}
	tags, repo, err := registryTags(t)
	if err != nil {
		return all(err.Error())
	}
	record := repo + ":" + tg.Tag()
	img, err := reg.Image(ctx, record)
	if err != nil {
		return all("looking up " + record + ": " + err.Error())
	}
	if img != nil {
		reuse := &plan.Reuse{Ref: img.Ref, Descriptor: img.Descriptor, Platforms: img.Manifests}
		missing := false
		for _, pl := range tg.Platforms {
			_, has := img.Manifests[pl]
			missing = missing || !has
		}
		if !missing {
			return verdict{reuse: reuse}
		}
	}
	if !explain {
		return all("changed")
	}
	return s.explain(ctx, reg, tags, tg)
}

// explain compares each solve's parts with the record of the image at the
// first of the target's tags that exists, for the same platform.
func (s *Set) explain(ctx context.Context, reg Registry, tags []string, tg *Target) verdict {
	v := verdict{changed: map[string][]string{}}
	first := tags[0]
	var img *Image
	var err error
	for _, tag := range tags {
		if img, err = reg.Image(ctx, tag); img != nil || err != nil {
			first = tag
			break
		}
	}
	same := 0
	defer func() {
		if same == len(tg.Solves) {
			// Every platform has the recorded inputs: what differs is
			// the target's own part of its digest, or the record is gone.
			for _, id := range tg.Solves {
				v.changed[id] = []string{"same inputs as " + first + ", but other output attributes, or its record tag is gone"}
			}
		}
	}()
	for i, id := range tg.Solves {
		pl := tg.Platforms[i]
		switch {
		case err != nil:
			v.changed[id] = []string{"looking up " + first + ": " + err.Error()}
			continue
		case img == nil:
			v.changed[id] = []string{"no image at " + strings.Join(tags, ", ")}
			continue
		}
		m, ok := img.Manifests[pl]
		if !ok {
			v.changed[id] = []string{first + " has no " + pl + " image"}
			continue
		}
		ann := img.Annotations
		if m.Digest != img.Descriptor.Digest {
			repo, _, _ := strings.Cut(img.Ref, "@")
			pm, err := reg.Image(ctx, repo+"@"+m.Digest.String())
			if err != nil || pm == nil {
				v.changed[id] = []string{fmt.Sprintf("looking up %s's %s image: %v", first, pl, err)}
				continue
			}
			ann = pm.Annotations
		}
		changed, ok := s.Solves[id].Changed(ann)
		switch {
		case !ok:
			v.changed[id] = []string{first + " has no input record"}
		case len(changed) == 0:
			// Same inputs for this platform: another one changed.
			v.changed[id] = []string{"another platform changed"}
			same++
		default:
			v.changed[id] = changed
		}
	}
	return v
}

// unskippable says why t cannot be skipped, or "": an unchanged target is
// only published again, so every output must push an image to a
// registry.
func unskippable(t *bake.Target) string {
	if inputs.IsCall(t) {
		return "--call runs the build"
	}
	if len(t.Outputs) == 0 {
		return "no registry output"
	}
	for _, o := range t.Outputs {
		if !plan.PushedImage(o) {
			return "output type=" + o.Type + " is written by the build"
		}
	}
	return ""
}

// registryTags are the tags of t's registry outputs, in order, and the
// repository of the first: where the record is looked up.
func registryTags(t *bake.Target) (tags []string, repo string, err error) {
	for _, o := range t.Outputs {
		for _, n := range plan.ImageNames(t, o) {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(tags, n) {
				tags = append(tags, n)
			}
		}
	}
	if len(tags) == 0 {
		return nil, "", fmt.Errorf("no tag to look up")
	}
	named, err := reference.ParseNormalizedNamed(tags[0])
	if err != nil {
		return nil, "", fmt.Errorf("tag %q: %w", tags[0], err)
	}
	return tags, named.Name(), nil
}

// targetsOf maps the exported targets of p by name.
func targetsOf(p *plan.Plan) map[string]*bake.Target {
	out := map[string]*bake.Target{}
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		for i, t := range n.Solve.Targets {
			if n.Solve.Roles[i] != plan.RoleDependency {
				out[t.Name] = t
			}
		}
	}
	return out
}
