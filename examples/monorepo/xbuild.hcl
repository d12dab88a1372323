# Three services of one repository that share a base image. Run from the
# repository root (paths are relative to the working directory, as in
# `docker buildx bake`):
#
#   xbake -f examples/monorepo/xbuild.hcl ci               # build and test, publish nothing
#   xbake -f examples/monorepo/xbuild.hcl release --push   # publish every service
#   REGISTRY=ghcr.io/me TAG=1.2.0 xbake -f examples/monorepo/xbuild.hcl release --push
#   xbake -f examples/monorepo/xbuild.hcl graph release    # the DAG (see README.md)

# A variable is overridden by the environment variable of the same name.
variable "REGISTRY" {
  default = "localhost:5000"
}

variable "TAG" {
  default = "dev"
}

# Where the examples' base images are; `make up` pushes them there.
variable "BASE_REGISTRY" {
  default = "localhost:5000"
}

# Source folder of this example, relative to the working directory.
variable "SRC" {
  default = "examples/monorepo"
}

group "default" {
  targets = ["release"]
}

# What gets published: every service, every variant, every platform.
group "release" {
  targets = ["api", "worker", "web"]
}

# What a pull request runs: the checks and every image build, without
# publishing (no --push).
group "ci" {
  targets = ["test", "api", "worker", "web"]
}

# Settings every service shares. A name that starts with "_" is a
# convention for "inherit me, do not build me": no group lists it.
target "_common" {
  platforms = ["linux/amd64", "linux/arm64"]
  labels = {
    "org.opencontainers.image.source"  = "https://github.com/xbake/xbake/tree/main/examples/monorepo"
    "org.opencontainers.image.version" = TAG
    "org.opencontainers.image.vendor"  = "xbake examples"
  }
}

# The shared base. It has no tags and no group lists it: it is built only
# as a dependency and never published. It has the services' platforms, so
# that api@linux/arm64 gets base@linux/arm64 (a dependency with a single
# platform would serve that one platform to every dependent).
target "base" {
  description = "Shared base image (busybox, user app, lib.sh); built only as a dependency"
  inherits    = ["_common"]
  context     = "${SRC}/base"
  args = {
    BUSYBOX = "${BASE_REGISTRY}/xbake/busybox"
  }
}

target "api" {
  description = "The API service (busybox httpd)"
  inherits    = ["_common"]
  context     = "${SRC}/services/api"
  contexts    = { base = "target:base" }
  tags        = ["${REGISTRY}/monorepo/api:${TAG}"]
}

target "worker" {
  description = "The background worker"
  inherits    = ["_common"]
  context     = "${SRC}/services/worker"
  contexts    = { base = "target:base" }
  tags        = ["${REGISTRY}/monorepo/worker:${TAG}"]
}

# One target per flavor (web-slim, web-debug) and a group "web" that lists
# both; each is built for every platform of _common.
target "web" {
  name        = "web-${flavor}"
  matrix      = { flavor = ["slim", "debug"] }
  description = "The web front end, ${flavor} flavor"
  inherits    = ["_common"]
  context     = "${SRC}/services/web"
  contexts    = { base = "target:base" }
  target      = flavor
  args        = { FLAVOR = flavor }
  tags        = [flavor == "slim" ? "${REGISTRY}/monorepo/web:${TAG}" : "${REGISTRY}/monorepo/web:${TAG}-${flavor}"]
}

# Checks on the builder's own platform only; the result is thrown away.
target "test" {
  description = "CI checks of every service's scripts (linux/amd64, nothing exported)"
  context     = SRC
  dockerfile  = "test/Dockerfile"
  contexts    = { base = "target:base" }
  platforms   = ["linux/amd64"]
  output      = ["type=cacheonly"]
}
