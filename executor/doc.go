// Package executor is the last phase of xbake: it runs a plan.
//
// It takes a plan.Plan and walks it with bounded concurrency, turning each
// solve node into a BuildKit solve and each merge node into a registry or
// file-system assembly of the per-platform results. It reports progress as
// events and returns a Report; it never prints.
package executor
