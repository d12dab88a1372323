// Package preflight is what xbake learns before it builds anything: it
// sits between planning and execution, and only the full build of the CLI
// links it.
//
// Dockerfiles hands the planner (plan.Request.Dockerfiles) what each
// solve's Dockerfile does, read by package dockerfile with BuildKit's own
// parser: the images the stages it needs pull and the platform each is
// pulled for, and its RUN steps with the platform they run on and the
// advice for a toolchain that is slow under QEMU. From these the plan
// marks solves cross or emulated and lists their steps under QEMU.
//
// Check then takes the plan and a Lookup (the CLI gives the registry
// client's) and checks, before any solve, that every image a solve pulls
// offers the platform it is pulled for, looking each reference up once
// and concurrently. It returns diagnostics: an error at the Dockerfile's
// FROM line for a missing platform, naming the targets and the platforms
// the image does offer (the CLI exits with code 2, nothing built), and a
// warning for an image it could not look up.
package preflight
