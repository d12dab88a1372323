// Command xbake builds multi-platform container images from bake files.
//
//	xbake [flags] [TARGET|GROUP...]
//
// It reads docker-bake.hcl / docker-bake.json files (and xbuild.hcl,
// xbuild.json and their overrides), expands them into a DAG of
// per-platform BuildKit solves, runs it, and publishes manifest lists or
// per-platform outputs. Installed as docker-xbake in a docker CLI plugin
// folder (with xbake-engine beside it) it is also "docker xbake"
// (plugin.go), with the docker CLI's global flags.
//
// The main command is bake.go (--list, --print, --plan or a build), with
// its flags in bake_flags.go and reading and resolving the definition in
// load.go; a build is run.go and the run_*.go files.
//
// The package builds two ways (engine.go): by default into the whole
// program, and with -tags xbakefront into a front that starts fast, runs
// the commands that only read HCL and JSON definitions, and hands the
// others to the whole program installed as xbake-engine.
//
// `xbake builder ls|inspect` and `xbake doctor` show and check the
// builders (package builder finds them).
//
// Before building, a base image that lacks a platform it is pulled for is
// an error of the definition (exit code 2, run_preflight.go); a smoke test
// (test block) that fails is a build failure (exit code 1, run_verify.go).
//
// --skip-unchanged (skip.go) computes the input digests of the plan
// (package digests), looks up what the registry has from the same inputs
// and plans again; every build that pushes records its digests there.
// --affected-since REF (affected.go) narrows the request to the targets
// package affected selects from git's changes.
//
// Exit codes:
//
//	0    success
//	1    a build or publish failed, or a builder does not answer
//	2    invalid usage, an invalid definition (any error diagnostic,
//	     including a definition over xbake's limits) or a builder
//	     configuration that cannot work; nothing was built
//	70   an internal error: a bug in xbake, reported in a few lines
//	     (--debug or XBAKE_DEBUG=1 shows the Go stack); a node of a
//	     build that hit one fails, and the others end as after any
//	     failure
//	130  interrupted by SIGINT (Ctrl-C)
//	143  terminated by SIGTERM
//
// The first SIGINT or SIGTERM cancels the run: reading and evaluating the
// definition stop at once, a build stops its work and cleans up. A second
// signal exits at once.
package main
