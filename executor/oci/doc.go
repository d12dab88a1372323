// Package oci does the registry and OCI-layout work of the executor:
// pushing an image index over per-platform manifests (only after all of
// them exist), inspecting and creating indexes (`xbake imagetools`),
// merging per-platform OCI layouts and tarballs into one, and classifying
// and retrying transient registry errors (by HTTP status and registry
// error code). Registry credentials come from the docker config file
// (DOCKER_CONFIG, credential helpers); connections that stay silent time
// out (Timeouts), slow ones do not. Package ocitest is a fault-injecting
// proxy for tests.
//
// It is the last step of a merge node: it takes what the per-platform
// solves produced (manifests pushed by digest, layout or tar files) and
// returns the descriptor of the one index that joins them. The registry
// entry points are methods of Client (PushIndex, Tag, Inspect, Details,
// Create, CreateFrom, Compose, MergeCache: BuildKit registry caches joined
// into one); the file ones are MergeOCILayouts (a layout folder or
// tarball), and WriteMergedLayout and WriteMergedTar to a stream (the
// executor's temporary file, moved into place with its target's other
// files, or standard output).
// Registries are reached over TLS, except loopback ones and those marked
// insecure (WithInsecureRegistries).
package oci
