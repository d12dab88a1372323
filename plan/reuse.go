package plan

import (
	"slices"

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
//     hands a result to a dependent only within one build); every other
//     solve of an unchanged target, or read only by such solves, is
//     skipped (Solve.Unchanged);
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
	if len(b.req.Inputs) == 0 && len(b.req.Unchanged) == 0 {
		return
	}
	keep := make([]bool, len(groups))
	linked := make([]bool, len(groups))
	neededBy := make([]string, len(groups))
	for _, g := range groups {
		for _, d := range g.deps {
			linked[d] = true
		}
	}
	for i := len(groups) - 1; i >= 0; i-- {
		g := groups[i]
		reused := false
		for _, m := range g.members {
			reused = reused || m.reuse != nil
			if !m.t.Linked && m.reuse == nil {
				keep[i] = true
			}
		}
		// A dependency that nothing reads is built as before.
		keep[i] = keep[i] || !reused && !linked[i]
		if !keep[i] {
			continue
		}
		for _, d := range g.deps {
			if !keep[d] || neededBy[d] != "" && g.node.ID < neededBy[d] {
				keep[d], neededBy[d] = true, g.node.ID
			}
		}
	}
	for i, g := range groups {
		s := g.node.Solve
		if in, ok := b.req.Inputs[g.node.ID]; ok {
			s.Inputs = &SolveInputs{Digest: in.Digest, Changed: slices.Clone(in.Changed)}
		}
		switch {
		case !keep[i]:
			s.Unchanged = true
			for _, m := range g.members {
				if m.reuse != nil {
					s.Reused = m.reuse.Platforms[g.plat.key]
					break
				}
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
