package plan

import (
	"github.com/xbake/xbake/bake"
)

// The dedup key says when two (target, platform) pairs are the same solve.
// It has two parts: a static part per target, every input that reaches
// the BuildKit solve request, which the attribute table of package bake
// writes (bake.Target.SolveKey says what it leaves out and why), and a
// per-platform part (the canonical platform and the solves that feed its
// `target:` contexts), built by group.
func staticKey(t *bake.Target) string { return t.SolveKey() }
