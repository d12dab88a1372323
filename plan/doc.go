// Package plan is the third phase of xbake: a pure, deterministic function
// from the resolved bake model to a DAG.
//
// It takes bake.Targets and a Request and returns a Plan: one solve node per
// (target, platform), one merge node per target whose outputs assemble a
// multi-platform result, and the edges that `target:` contexts create. It
// reads no environment, clock or file system, so the same input always
// gives byte-identical JSON. Package executor runs the result.
package plan
