package plan

import (
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// Dockerfiles answers what the Dockerfile of target t does when built for
// platform on a builder whose own platform is build (BUILDPLATFORM): the
// images it pulls and its RUN steps, of the stages that build needs. ok
// is false when it cannot tell (no local Dockerfile, or one the build
// would reject). Package dockerfile reads Dockerfiles with BuildKit's own
// parser; the caller hands it in, so that this package reads no file and
// links no BuildKit.
type Dockerfiles interface {
	Build(t *bake.Target, platform, build ocispec.Platform) (_ *DockerfileBuild, ok bool)
}

// DockerfileBuild is what one build of a Dockerfile does. Solves of the
// same build may share one (its Images are their Solve.Images).
type DockerfileBuild struct {
	// File is the Dockerfile's path as messages show it, relative to the
	// working directory; "" for dockerfile-inline.
	File   string
	Images []BaseImage
	Runs   []RunStep
}

// BaseImage is an image a build pulls from a registry, and the platform
// it pulls it for: the FROM image of a stage, an image that COPY --from
// or RUN --mount=from reads (pulled for the target platform), or a
// docker-image:// named context used in either way or replacing a stage.
// Stages that start from another stage, scratch, or a context of another
// kind pull nothing.
type BaseImage struct {
	Ref      string // build arguments expanded
	Platform ocispec.Platform
	Line     int    // of the stage's FROM, or of the instruction that reads it
	Stage    string // the stage's name; "" when it has none
	// Source: COPY --from or RUN --mount=from reads it, not FROM.
	Source bool
	// FilesOnly: the build uses the stage only for files (COPY --from), so
	// FROM --platform=$BUILDPLATFORM would not change the result.
	FilesOnly bool
	// Context is the named context the image comes through, or "".
	Context string
	// Check is what the base-image check found (package preflight sets
	// it): CheckOK, CheckUnknown; "" when it did not run. It depends on
	// Ref and Platform only, so solves may share a BaseImage.
	Check string
}

// What a base-image check found.
const (
	CheckOK      = "ok"      // the image offers the platform
	CheckUnknown = "unknown" // the registry did not answer: not checked
)

// RunStep is one RUN step of a build.
type RunStep struct {
	Platform ocispec.Platform // what it runs on
	Line     int
	Stage    string // the stage's name; "" when it has none
	// Command is the instruction as written ("RUN go build -o /app .").
	Command string
	// Step is how BuildKit's progress names the step ("[build 3/4] "), so
	// that its time can be measured; "" when unknown.
	Step string
	// Toolchain names a known compiler or package manager the step runs
	// ("go build"), and Advice the way to run it without QEMU.
	Toolchain, Advice string
}

// readDockerfile fills in what a solve's Dockerfile does when a node of
// platform build (BUILDPLATFORM) runs it, for the emulation
// classification and the base-image check.
func (b *builder) readDockerfile(nd *Node, build ocispec.Platform) (*DockerfileBuild, bool) {
	if b.req.Dockerfiles == nil {
		return nil, false
	}
	db, ok := b.req.Dockerfiles.Build(nd.Solve.Targets[0], nd.Solve.Platform, build)
	if !ok {
		return nil, false
	}
	nd.Solve.Dockerfile = db.File
	nd.Solve.Images = db.Images // shared with every solve of the same build
	return db, true
}

// emulatedRuns are the RUN steps of db that a node running native does
// not run natively.
func emulatedRuns(db *DockerfileBuild, native []platforms.Matcher) []RunStep {
	var out []RunStep
	for _, r := range db.Runs {
		if !matchAny(native, r.Platform) {
			out = append(out, r)
		}
	}
	return out
}
