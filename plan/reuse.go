package plan

import (
	"slices"
	"strconv"
	"strings"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// With --skip-unchanged the caller computes each solve's input digest
// (package digests) and looks up, for each target that only pushes to
// registries, an image already published from the same inputs; the plan
// then decides what runs, as for every other decision (DESIGN.md
// decision 8):
//
//   - an unchanged target exports nothing (RoleDependency in its solves)
//     and gets a merge node, even with one platform, whose Merge.Reuse
//     points its tags at the image found: a manifest push, no build;
//   - a solve runs when it serves a target that is not unchanged, or when
//     a solve that runs reads it through a `target:` context (BuildKit
//     hands a result to a dependent only within one build) and no image
//     of its result is published (Request.Results: then the dependents
//     read that image, Link.Image), or a reader rewrites timestamps
//     (rewritesTimestamps); every other solve of an unchanged target, or
//     read only by such solves, is skipped (Solve.Unchanged);
//   - Solve.Inputs carries the digest and what changed, for --plan.

// SolveInputs is what the caller found of a solve's inputs.
type SolveInputs struct {
	// Digest is the solve's input digest; "" when it cannot be known.
	Digest string
	// Changed says why the solve runs: the inputs that changed since the
	// image its target last published, or why that cannot be told.
	Changed []string
}

// Reuse is an image already published from the same inputs as a target.
type Reuse struct {
	// Ref is where it is, "repo@sha256:...".
	Ref        string
	Descriptor ocispec.Descriptor
	// Platforms are its image manifests by canonical platform.
	Platforms map[string]ocispec.Descriptor
}

// skip marks the solves that need not run and copies the caller's inputs
// onto the solves. groups are in creation order: every group's link
// dependencies come before it.
func (b *builder) skip(groups []*group) {
	if len(b.req.Inputs) == 0 && len(b.req.Unchanged) == 0 && len(b.req.Results) == 0 {
		return
	}
	keep := make([]bool, len(groups))
	own := make([]bool, len(groups)) // runs for a target of its own
	linked := make([]bool, len(groups))
	neededBy := make([]string, len(groups))
	for _, g := range groups {
		for _, d := range g.deps {
			linked[d] = true
		}
	}
	for i, g := range groups {
		reused := false
		for _, m := range g.members {
			reused = reused || m.reuse != nil
			own[i] = own[i] || !m.t.Linked && m.reuse == nil
		}
		// A dependency that nothing reads is built as before.
		own[i] = own[i] || !reused && !linked[i]
	}
	// Readers come after what they read: each one's decision is made
	// before the solve it reads is looked at.
	var imageLinks [][2]int // group, link index
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		if keep[i] = keep[i] || own[i]; !keep[i] {
			continue
		}
		for k, d := range g.deps {
			if b.req.Results[groups[d].node.ID] != "" && !own[d] && !rewritesTimestamps(g) {
				imageLinks = append(imageLinks, [2]int{i, k})
				continue
			}
			if !keep[d] || neededBy[d] != "" && g.node.ID < neededBy[d] {
				keep[d], neededBy[d] = true, g.node.ID
			}
		}
	}
	// A dependency that runs anyway serves every reader, as in a build
	// from scratch.
	for _, il := range imageLinks {
		g := groups[il[0]]
		if d := g.deps[il[1]]; !keep[d] {
			g.node.Solve.Links[il[1]].Image = b.req.Results[groups[d].node.ID]
		}
	}
	for i, g := range groups {
		if !keep[i] || len(g.node.Deps) == 0 {
			continue
		}
		g.node.Deps = g.node.Deps[:0]
		for _, l := range g.node.Solve.Links {
			if l.Image == "" {
				g.node.Deps = append(g.node.Deps, l.Node)
			}
		}
		g.node.Deps = sortedUnique(g.node.Deps)
	}
	for i, g := range groups {
		s := g.node.Solve
		if in, ok := b.req.Inputs[g.node.ID]; ok {
			s.Inputs = &SolveInputs{Digest: in.Digest, Changed: slices.Clone(in.Changed)}
		}
		switch {
		case !keep[i]:
			// It runs nowhere: no test, no node (placement leaves it out).
			s.Unchanged, s.Tests = true, nil
			for _, m := range g.members {
				if m.reuse != nil {
					s.Reused = m.reuse.Platforms[g.plat.key]
					break
				}
			}
			if _, d, ok := strings.Cut(b.req.Results[g.node.ID], "@"); ok && s.Reused.Digest == "" {
				s.Reused.Digest = digest.Digest(d) // the published result
			}
			if s.Inputs != nil {
				s.Inputs.Changed = nil
			}
		case neededBy[i] != "":
			if s.Inputs == nil {
				s.Inputs = &SolveInputs{}
			}
			s.Inputs.Changed = []string{"needed by " + neededBy[i]}
		}
	}
}

// rewritesTimestamps says whether a target of g has an output with
// rewrite-timestamp=true. BuildKit rewrites the layers it builds and marks
// them; a layer read from a registry is neither, so such a target, built
// on a published dependency, would differ from a build from scratch.
func rewritesTimestamps(g *group) bool {
	for _, m := range g.members {
		for _, o := range m.t.Outputs {
			if o == nil {
				continue
			}
			if v, err := strconv.ParseBool(o.Attrs["rewrite-timestamp"]); err == nil && v {
				return true
			}
		}
	}
	return false
}
