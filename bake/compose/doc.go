// Package compose reads Compose files (compose.yaml and friends) for
// package bake, the way `docker buildx bake` reads them.
//
// It sits beside the second phase: it takes the definition files that are
// Compose (IsFile decides, by name or content) and the environment, and
// returns a bake.ComposeConfig (a target per service with a build section,
// and group "default") for bake.Options.Compose, with diagnostics that
// point into the YAML. compose-go does the loading and merging; only the
// keys bake uses are kept and validated.
//
// It is a package of its own so that package bake does not depend on
// compose-go: a program that links bake without this package does not pay
// for compose-go at start-up (its JSON Schema library compiles meta-schemas
// in an init function).
package compose
