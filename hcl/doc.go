// Package hcl is the first phase of xbake: it reads bake files.
//
// It takes the bytes of one or more `.hcl` (HCL native syntax) or `.json`
// (HCL JSON) bake files, with the variable overrides given on the command
// line and in the environment, and returns an evaluator that can resolve
// variables, user functions, top-level attributes and block attributes on
// demand. It owns the function table, variable typing and override parsing,
// the evaluation order (references, cycles) and the diagnostics writers.
//
// It also bounds what a definition may cost, because no recover can rescue
// a stack overflow or an out-of-memory error: files are measured before
// they are parsed (parsecheck.go: nesting, lines, string pieces, number
// lengths), and evaluation is charged to a budget as values are made
// (budget.go: value size, total size, steps), with a positioned error at
// the first limit reached. docs/compat.md lists the limits.
//
// Everything here returns hcl.Diagnostics with positions; nothing here knows
// what a target means. Package bake comes next.
//
// This package shares its name with github.com/hashicorp/hcl/v2: inside it,
// upstream is imported plainly; elsewhere ours is imported as xhcl.
package hcl
