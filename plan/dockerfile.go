package plan

import (
	"slices"

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

// dockerfileBuild asks Request.Dockerfiles what solve n's build does on
// node nd (its BUILDPLATFORM nd.build); nil when they cannot tell. The
// solve's targets share their build inputs, so the first one answers for
// all.
func (b *builder) dockerfileBuild(n *Node, nd *parsedNode) *DockerfileBuild {
	if b.req.Dockerfiles == nil {
		return nil
	}
	db, ok := b.req.Dockerfiles.Build(n.Solve.Targets[0], n.Solve.Platform, nd.build)
	if !ok {
		return nil
	}
	return db
}

// cross reports whether node nd, which does not run solve n's platform
// natively, cross-compiles it (crossFunc).
func (b *builder) cross(n *Node, nd *parsedNode) bool { return nd.crosses(b.dockerfileBuild(n, nd)) }

// crosses reports whether node nd cross-compiles build db of a platform
// it does not run natively: every RUN step of the stages the build needs
// runs on a platform nd runs natively (FROM --platform=$BUILDPLATFORM,
// directly or through build arguments). When the Dockerfile cannot tell
// (db is nil), it does not.
func (nd *parsedNode) crosses(db *DockerfileBuild) bool {
	return db != nil && !slices.ContainsFunc(db.Runs, nd.emulates)
}

// emulates reports whether RUN step r runs under QEMU on node nd.
func (nd *parsedNode) emulates(r RunStep) bool { return !matchAny(nd.native, r.Platform) }

// describe fills in what build db of solve n does on node nd, which runs
// it as n.Exec says: the images it pulls (the base-image check) and, when
// it emulates, the RUN steps under QEMU (the advisor).
func (nd *parsedNode) describe(n *Node, db *DockerfileBuild) {
	if db == nil {
		return
	}
	n.Solve.Dockerfile = db.File
	n.Solve.Images = db.Images // shared with every solve of the same build
	if n.Exec != ExecEmulated {
		return
	}
	var runs []RunStep
	for _, r := range db.Runs {
		if nd.emulates(r) {
			runs = append(runs, r)
		}
	}
	n.Solve.EmulatedRuns = runs
}
