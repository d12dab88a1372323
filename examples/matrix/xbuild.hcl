# A build matrix: the app for two Go versions on two platforms, four images
# in all. A CI system can fan it out, one job per target, with
#
#   xbake -f examples/matrix/xbuild.hcl --list type=targets,format=json
#
# (see github-workflow.yml and README.md). Run from the repository root.

variable "REGISTRY" {
  default = "localhost:5000"
}

variable "TAG" {
  default = "latest"
}

# Empty: every variant compiles with the local stack's Go image, which has
# one Go version. Set to an image repository with a tag per Go version (for
# example docker.io/library/golang) to compile each variant with its own Go.
variable "GOLANG_REPO" {
  default = ""
}

group "default" {
  targets = ["app"]
}

target "app" {
  name        = "app-go${replace(go, ".", "-")}"
  matrix      = { go = ["1.25", "1.26"] }
  description = "app for Go ${go}"
  context     = "examples/matrix"
  platforms   = ["linux/amd64", "linux/arm64"]
  args = {
    GO_VERSION = go
    GOLANG     = GOLANG_REPO == "" ? "localhost:5000/xbake/golang:latest" : "${GOLANG_REPO}:${go}"
  }
  tags = ["${REGISTRY}/xbake/matrix-app:${TAG}-go${go}"]
}
