// Package affected selects the targets that --affected-since REF builds:
// those whose inputs changed between a git revision and the work tree,
// and their dependents through `target:` contexts.
//
// It runs after resolution (package bake) and before planning. Since asks
// git which files differ between REF and the work tree (tracked changes,
// staged or not, and untracked files git does not ignore) and reads files
// as they were at REF (for the bake files). Select takes the resolved
// definition and each target's definition key at REF (DefinitionKey of
// the same targets resolved from the bake files at REF) and returns the
// requested targets that are affected: a changed definition, a changed
// file that the build reads (package inputs says which: the context and
// local named contexts less what their ignore files exclude, the
// Dockerfile, the ignore files themselves), or an affected dependency.
//
// It runs git and reads ignore files only; it links no BuildKit, so the
// front build of the CLI answers `xbake --list ... --affected-since REF`.
package affected
