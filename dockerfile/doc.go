// Package dockerfile reads Dockerfiles as BuildKit's Dockerfile frontend
// does, with its own parser, instructions and shell packages (the only
// part of BuildKit it uses; it talks to no daemon).
//
// It serves the phases before execution without being one of them: it
// takes a Dockerfile's bytes (Parse) and a build (Build: the target stage,
// build arguments, target and build platforms, named contexts) and returns
// the stages that build needs, in Dockerfile order, with the images they
// start from, the platforms they are built for and their RUN steps with
// stage and line (File.Stages), and the images and remote files it reads
// (File.Sources, SyntaxImage: the input digests resolve them). Reader
// reads the Dockerfiles of a run's
// bake targets, each file once and each content parsed once, and tells the
// planner where their RUN steps run (plan.Request.Dockerfiles), which
// marks a foreign-platform solve cross-compiled instead of emulated.
//
// Package plan does not import this one, so that a build of the CLI that
// only reads definitions can plan without linking BuildKit; the caller
// hands a Reader to the planner.
package dockerfile
