package preflight

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/containerd/platforms"
	"github.com/hashicorp/hcl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"

	"github.com/xbake/xbake/plan"
)

// Lookup returns the platforms an image offers: those of its index's
// image manifests (attestations left out), or its config's for a single
// image. It is called once per image reference and run.
type Lookup func(ctx context.Context, ref string) ([]ocispec.Platform, error)

// Options tune Check.
type Options struct {
	// Timeout bounds the whole check (default 20s): what has not
	// answered by then is not checked, with a warning.
	Timeout time.Duration
}

// parallel bounds the lookups at once.
const parallel = 8

// Check looks up every image that p's solves pull (plan.Solve.Images,
// filled in when the plan was made with Request.Dockerfiles), each
// reference once and concurrently, and checks that it offers the platform
// it is pulled for, matched as BuildKit matches it (containerd's
// platforms.Only: linux/amd64 also takes a linux/386 image, linux/arm/v7 an
// arm/v6 one). It sets each BaseImage's Check, and returns an error per
// image line and platform that the image lacks (with the platforms it
// offers and, for a stage that only gives files, the
// FROM --platform=$BUILDPLATFORM way out), and a warning per image that
// could not be looked up (offline, unauthorized, not in a registry the
// client reaches): the build may still find it, so the check does not
// stand in its way.
func Check(ctx context.Context, p *plan.Plan, lookup Lookup, opt Options) hcl.Diagnostics {
	if opt.Timeout <= 0 {
		opt.Timeout = 20 * time.Second
	}
	// Solves of one build share their Images: each shared list is
	// checked once, for all of them.
	var lists [][]plan.BaseImage
	users := map[*plan.BaseImage][]*plan.Node{}
	var refs []string
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if n.Solve == nil || len(n.Solve.Images) == 0 {
			continue
		}
		first := &n.Solve.Images[0]
		if users[first] == nil {
			lists = append(lists, n.Solve.Images)
			for _, im := range n.Solve.Images {
				if !seen[im.Ref] {
					seen[im.Ref] = true
					refs = append(refs, im.Ref)
				}
			}
		}
		users[first] = append(users[first], n)
	}
	found := lookAll(ctx, refs, lookup, opt)

	var diags hcl.Diagnostics
	missing := map[missingKey]*missingUse{}
	var order []missingKey
	warned := map[string]bool{}
	for _, list := range lists {
		nodes := users[&list[0]]
		for i := range list {
			im := &list[i]
			f := found[im.Ref]
			if f.err != nil {
				im.Check = plan.CheckUnknown
				if !warned[im.Ref] {
					warned[im.Ref] = true
					diags = append(diags, unchecked(nodes[0], im, f.err))
				}
				continue
			}
			if offers(f.platforms, im.Platform) {
				im.Check = plan.CheckOK
				continue
			}
			k := missingKey{nodes[0].Solve.Dockerfile, im.Line, im.Ref, platforms.Format(im.Platform)}
			u := missing[k]
			if u == nil {
				u = &missingUse{image: *im, node: nodes[0], offered: f.platforms, named: map[string]bool{}}
				missing[k] = u
				order = append(order, k)
			}
			for _, n := range nodes {
				for _, t := range n.Solve.Targets {
					if !u.named[t.Name] {
						u.named[t.Name] = true
						u.targets = append(u.targets, t.Name)
					}
				}
			}
		}
	}
	for _, k := range order {
		diags = append(diags, missing[k].diagnostic())
	}
	return diags
}

// found is what a lookup gave.
type found struct {
	platforms []ocispec.Platform
	err       error
}

// lookAll looks refs up, at most parallel at once, within opt.Timeout.
func lookAll(ctx context.Context, refs []string, lookup Lookup, opt Options) map[string]found {
	ctx, cancel := context.WithTimeout(ctx, opt.Timeout)
	defer cancel()
	var mu sync.Mutex
	out := make(map[string]found, len(refs))
	var eg errgroup.Group
	eg.SetLimit(parallel)
	for _, ref := range refs {
		eg.Go(func() error {
			ps, err := lookup(ctx, ref)
			if err == nil && ctx.Err() != nil {
				err = ctx.Err()
			}
			if err != nil && ctx.Err() == context.DeadlineExceeded {
				err = fmt.Errorf("no answer within %s", opt.Timeout)
			}
			mu.Lock()
			out[ref] = found{ps, err}
			mu.Unlock()
			return nil
		})
	}
	_ = eg.Wait()
	return out
}

// offers reports whether BuildKit would find p among ps.
func offers(ps []ocispec.Platform, p ocispec.Platform) bool {
	m := platforms.Only(p)
	return slices.ContainsFunc(ps, m.Match)
}

type missingKey struct {
	file     string
	line     int
	ref      string
	platform string
}

// missingUse is one FROM line whose image lacks a platform, with the
// targets that pull it for that platform.
type missingUse struct {
	image   plan.BaseImage
	node    *plan.Node // the first solve that pulls it
	offered []ocispec.Platform
	targets []string
	named   map[string]bool
}

func (u *missingUse) diagnostic() *hcl.Diagnostic {
	im, plat := u.image, platforms.Format(u.image.Platform)
	what := "FROM " + im.Ref
	switch {
	case im.Context != "":
		what = fmt.Sprintf("the image of context %q (docker-image://%s)", im.Context, im.Ref)
	case im.Source:
		what = "--from=" + im.Ref
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s is pulled for %s by %s, but the image offers %s.", what, stageOf(im), plat, targetsOf(u.targets, u.node), formatPlatforms(u.offered))
	if im.FilesOnly && im.Context == "" {
		fmt.Fprintf(&b, "\nThe stage only gives files to other stages: FROM --platform=$BUILDPLATFORM %s runs it on the builder's platform for every target platform (then build for $TARGETPLATFORM, as cross-compilers do).", im.Ref)
	} else {
		fmt.Fprintf(&b, "\nUse an image that offers %s, or leave %s out of the target's platforms.", plat, plat)
	}
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  "Base image has no " + plat,
		Detail:   b.String(),
		Subject:  dockerfileRange(u.node, im.Line),
	}
}

// unchecked warns that im could not be looked up.
func unchecked(n *plan.Node, im *plan.BaseImage, err error) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagWarning,
		Summary:  "Base image not checked",
		Detail:   fmt.Sprintf("%s: %v\nIts platforms were not checked before the build; the build pulls it as usual.", im.Ref, err),
		Subject:  dockerfileRange(n, im.Line),
	}
}

// dockerfileRange is the FROM line in the solve's Dockerfile, or the
// target's block for an inline Dockerfile.
func dockerfileRange(n *plan.Node, line int) *hcl.Range {
	if n.Solve.Dockerfile == "" {
		r := n.Origin
		return &r
	}
	pos := hcl.Pos{Line: line, Column: 1}
	return &hcl.Range{Filename: n.Solve.Dockerfile, Start: pos, End: pos}
}

func stageOf(im plan.BaseImage) string {
	if im.Stage == "" {
		return ""
	}
	return fmt.Sprintf(" (stage %s)", im.Stage)
}

// targetsOf names the targets, the first with its block's position.
func targetsOf(names []string, n *plan.Node) string {
	first := fmt.Sprintf("target %q", names[0])
	if r := n.Origin; r.Filename != "" && n.Target == names[0] {
		first += fmt.Sprintf(" (%s:%d:%d)", r.Filename, r.Start.Line, r.Start.Column)
	}
	switch rest := len(names) - 1; {
	case rest == 0:
		return first
	case rest <= 3:
		return fmt.Sprintf("%s and %s", first, strings.Join(quoteAll(names[1:]), ", "))
	default:
		return fmt.Sprintf("%s and %d other targets", first, rest)
	}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = fmt.Sprintf("%q", s)
	}
	return out
}

func formatPlatforms(ps []ocispec.Platform) string {
	if len(ps) == 0 {
		return "no platform"
	}
	names := make([]string, 0, len(ps))
	for _, p := range ps {
		names = append(names, platforms.Format(p))
	}
	slices.Sort(names)
	return strings.Join(slices.Compact(names), ", ")
}
