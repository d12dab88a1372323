// Package bake is the second phase of xbake: it turns evaluated bake files
// into the resolved model.
//
// It takes the files loaded by package hcl, the requested target and group
// names and the --set overrides, and returns the resolved Targets and Groups:
// matrices expanded, inherits merged, overrides applied, values normalised
// exactly as `docker buildx bake` does. It also renders the --print and
// --list JSON. Compose files are measured before compose-go reads them
// (compose/compose_limits.go). Package plan comes next.
//
// What each target attribute is, and what decoding, merging, --set,
// Compose x-bake, --print and plan's dedup key (Target.SolveKey) do with
// it, is one table: targetAttrs in attrs.go, matched by name to
// schema.Target (docs/architecture.md, "Adding a target attribute").
//
// Test blocks (xbake's smoke tests, which buildx skips) are read when the
// files are loaded but decoded and checked only by Config.Tests, which
// builds and --plan call and --print and --list do not (test.go).
package bake
