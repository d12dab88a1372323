// Package dockerfile reads Dockerfiles as BuildKit's Dockerfile frontend
// does, with its own parser, instructions and shell packages (the only
// part of BuildKit it uses; it talks to no daemon).
//
// It serves the phases before execution without being one of them: it
// takes a Dockerfile's bytes (Parse) and a build (Build: the target stage,
// build arguments, target and build platforms, named contexts) and returns
// the stages that build needs, in Dockerfile order, with the images they
// start from, the platforms they are built for, whether they only give
// files to other stages, and their RUN steps with stage, line, the name
// BuildKit's progress gives the step (steps.go) and the known toolchain
// it runs (toolchain.go, with the advice to cross-compile it)
// (File.Stages). Reader reads the Dockerfiles of a run's bake targets,
// each file once, each content parsed once and each distinct build's
// stages worked out once; Images lists the images a build pulls, named
// contexts (docker-image://) included; File.Fetched the ADD sources the
// build fetches itself and SyntaxImage the `# syntax=` frontend (the
// input digests, package digests, resolve what these name).
//
// Package plan does not import this one, so that a build of the CLI that
// only reads definitions can plan without linking BuildKit, and this one
// does not import plan: package preflight hands what a Reader finds to
// the planner (plan.Request.Dockerfiles), which marks a foreign-platform
// solve cross-compiled instead of emulated and lists the images each
// solve pulls, for the base-image check.
package dockerfile
