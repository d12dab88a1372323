package plan

import (
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// Request is everything host-specific that planning needs, so that New
// stays a pure function.
type Request struct {
	// DefaultPlatform is the builder's default platform ("linux/amd64"),
	// used for targets that declare none and for "local". Required when a
	// target needs it.
	DefaultPlatform string
	// BuilderPlatforms are the platforms the builder runs natively, without
	// QEMU: from the executor, or from --builder-platforms for offline
	// planning. A BuildKit worker's platform list is not that: it also holds
	// every platform QEMU provides. When empty, solve nodes are not
	// classified.
	BuilderPlatforms []string
	// Dockerfiles tells where the RUN steps of a target's Dockerfile run
	// (package dockerfile reads them with BuildKit's own parser; the
	// caller gives it, so that New reads no file and this package links
	// no BuildKit). A solve of a foreign platform is cross, not emulated,
	// when every one runs on a platform the builder runs natively (FROM
	// --platform=$BUILDPLATFORM, directly or through build arguments).
	// When nil, or when it cannot tell, the solve counts as emulated.
	Dockerfiles RunPlatforms
	// LoadIndex says that the Docker engine of --load keeps a
	// multi-platform image under one tag (containerd's image store): the
	// type=docker outputs without dest of a multi-platform target are then
	// one image, assembled and loaded by the target's merge node, as buildx
	// does. Otherwise each platform is loaded under its own tag.
	LoadIndex bool

	// Atomic gives every target that pushes an image a merge node, even
	// with one platform: its solve then pushes by digest and the merge
	// node writes the tags, so that the executor can hold every tag of
	// the run until every solve succeeded (--atomic).
	Atomic bool

	// Inputs are the input digests of the solves, by node ID, with what
	// changed (package digests computes them from a first plan; node IDs
	// do not depend on these fields). --plan shows them.
	Inputs map[string]SolveInputs
	// Unchanged are the requested targets, by name, whose every platform
	// matches an image already published from the same inputs: their tags
	// are pointed at it and their solves run only when a solve that runs
	// reads them (see reuse.go). The caller gives only targets whose
	// every output pushes to a registry.
	Unchanged map[string]*Reuse
	// Results are images of solves' results published by earlier runs,
	// by node ID ("repo@sha256:..."): a solve that runs only because
	// others read it (a dependency) does not run when it has one; they
	// read the image instead (see reuse.go).
	Results map[string]string
}

// RunPlatforms answers, for target t built for platform on a builder
// whose own platform is build (BUILDPLATFORM), the platforms that the RUN
// steps of the Dockerfile stages it needs run on; ok is false when it
// cannot tell (no local Dockerfile, or one the build would reject).
type RunPlatforms interface {
	RunPlatforms(t *bake.Target, platform, build ocispec.Platform) (_ []ocispec.Platform, ok bool)
}
