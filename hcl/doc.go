// Package hcl is the first phase of xbake: it reads bake files.
//
// It takes the bytes of one or more `.hcl` (HCL native syntax) or `.json`
// (HCL JSON) bake files, with the variable overrides given on the command
// line and in the environment, and returns an evaluator that can resolve
// variables, user functions, top-level attributes and block attributes on
// demand. It owns the function table, variable typing and override parsing,
// the evaluation order (references, cycles) and the diagnostics writers.
//
// Everything here returns hcl.Diagnostics with positions; nothing here knows
// what a target means. Package bake comes next.
//
// This package shares its name with github.com/hashicorp/hcl/v2: inside it,
// upstream is imported plainly; elsewhere ours is imported as xhcl.
package hcl
