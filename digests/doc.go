// Package digests computes the input digest of each solve of a plan:
// one SHA-256 over everything that reaches the build, computed without a
// builder, so that a run can tell an image it would build from one it has
// published already (--skip-unchanged) and say which input changed.
//
// It runs between planning and execution. A Hasher (one per run) takes a
// plan.Plan and returns a Set: per solve node, its Digest, the Result
// digest its dependents read, and the Parts it combines (parts.go lists
// them); per exporting target, a Digest over its registry outputs and its
// solves in platform order, and the record Tag (record.go). The request
// a digest covers is package inputs' (the one the executor sends); local
// directories are hashed as BuildKit's client sends them (tree.go), each
// directory and file once per run, images are resolved once per run
// through an ImageResolver (the full build's image cache, which the
// base-image check shares), and Dockerfiles are read with package
// dockerfile for the images they pull.
// Digests are deterministic across machines and checkouts: no mtime, no
// owner, no absolute path.
//
// A solve whose inputs cannot be known without building (a remote
// context, an ADD of a URL without --checksum) or cannot be read gets no
// digest but a reason (Solve.Unknown): it is always built.
//
// It imports neither the executor nor BuildKit's client.
package digests
