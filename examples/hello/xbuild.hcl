# The hello program for three CPU architectures, as one multi-platform
# image. Run from the repository root (paths in a bake file are relative to
# the working directory, as in `docker buildx bake`):
#
#   xbake -f examples/hello/xbuild.hcl release --push
#   xbake -f examples/hello/xbuild.hcl hello-emulated --push
#
# See README.md in this folder.

variable "REGISTRY" {
  default = "localhost:5000"
}

variable "TAG" {
  default = "latest"
}

group "default" {
  targets = ["hello"]
}

group "release" {
  targets = ["hello"]
}

# The fast path: Go cross-compiles on the builder's CPU for every platform
# (FROM --platform=$BUILDPLATFORM in the Dockerfile's "cross" stage).
target "hello" {
  description = "hello, cross-compiled for three platforms (the fast path)"
  context     = "examples/hello"
  dockerfile  = "Dockerfile"
  target      = "cross"
  platforms   = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  tags        = ["${REGISTRY}/xbake/hello:${TAG}"]
  labels = {
    "org.opencontainers.image.title"  = "hello"
    "org.opencontainers.image.source" = "https://github.com/xbake/xbake/tree/main/examples/hello"
  }
}

# The slow path, for comparison (make bench-emulation): the Go compiler
# itself runs under QEMU for linux/arm64. Same program, same image.
target "hello-emulated" {
  description = "hello, compiled under QEMU for comparison (make bench-emulation)"
  inherits    = ["hello"]
  target      = "emulated"
  platforms   = ["linux/amd64", "linux/arm64"]
  tags        = ["${REGISTRY}/xbake/hello-emulated:${TAG}"]
  labels = {
    "org.opencontainers.image.title" = "hello-emulated"
  }
}

# xbake only (docker buildx bake skips test blocks): before an image is
# published, /hello runs in it for each platform, natively or under QEMU,
# and must greet in that platform's architecture ("Hello, arm64!"). A
# binary built for the wrong CPU fails here, and the tag does not move.
test "hello" {
  target  = "hello"
  command = ["/hello"]
  expect  = "Hello, $TARGETARCH!"
}
