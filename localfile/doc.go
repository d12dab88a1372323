// Package localfile reads the small local files a run names, and
// resolves local paths, the same way for every phase: Dockerfiles and
// ignore files, secrets, builder stores and builders files, TLS files,
// the files of a remote definition's tree, Compose's .env (its env_file
// files, which compose-go reads itself, are held to the same rule).
//
// It is no phase of the pipeline and knows nothing of what is built: it
// imports only the standard library, so that every package may use it,
// the front build of the CLI and package builder included. Read takes a
// path and a size limit and returns the file's bytes, or an *Error for
// what it refuses (anything but a regular file: a device such as
// /dev/zero never ends, a FIFO blocks until someone writes; a file over
// the limit). Resolve takes a path and returns it with the symbolic
// links of its nearest existing ancestor resolved.
package localfile
