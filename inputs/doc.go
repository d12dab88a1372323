// Package inputs says what reaches the BuildKit solve of a target, without
// BuildKit: it is the one translation of a resolved target into the
// dockerfile.v0 frontend's attributes and the local directories the build
// reads, shared by the phases that need it.
//
// It serves the phases from planning on without being one of them. Of
// takes a resolved bake.Target, a canonical platform and the working
// directory, and returns a Request: the frontend attributes (as buildx's
// build/opt.go sets them for one platform), the local mounts (the context,
// the Dockerfile's folder, local named contexts) as absolute directories,
// OCI layouts, an inline Dockerfile's bytes and the entitlements. The
// executor adds what only a build has (sessions, `target:` results, the
// inline Dockerfile as an LLB input, provenance and VCS attributes); the
// input digests (package digests) hash exactly this request; and
// --affected-since (package affected) asks which files it reads.
//
// Locals says which files of each mount BuildKit's Dockerfile frontend
// reads: the ignore file that filters a mount (`<Dockerfile>.dockerignore`
// next to the Dockerfile before the context's `.dockerignore`; a local
// named context's own `.dockerignore`) and the Dockerfile itself, with the
// lower-case `dockerfile` the frontend falls back to.
//
// It reads no file except in Locals (ignore files, which it reads the way
// BuildKit does, with moby/patternmatcher's ignorefile) and links no part
// of BuildKit, so that the front build of the CLI can use it.
package inputs
