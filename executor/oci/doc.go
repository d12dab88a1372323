// Package oci does the registry and OCI-layout work of the executor:
// pushing an image index over per-platform manifests (only after all of
// them exist), inspecting and creating indexes (`xbake imagetools`),
// merging per-platform OCI layouts and tarballs into one, and classifying
// and retrying transient registry errors. Registry credentials come from
// the docker config file (DOCKER_CONFIG, credential helpers).
package oci
