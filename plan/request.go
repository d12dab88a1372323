package plan

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
	// Dockerfiles are the targets' parsed Dockerfiles, by target name (the
	// caller reads them; see ParseDockerfile, and share one per file). A
	// solve of a foreign platform is cross, not emulated, when every RUN
	// step of the stages it needs runs on a platform the builder runs
	// natively (FROM --platform=$BUILDPLATFORM, directly or through build
	// arguments). A target without one counts as emulated.
	Dockerfiles map[string]*Dockerfile
}
