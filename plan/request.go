package plan

// Request is everything host-specific that planning needs, so that New
// stays a pure function.
type Request struct {
	// Targets are the requested target names, already resolved from groups
	// by package bake; the others in the definition are dependencies.
	Targets []string
	// DefaultPlatform is the builder's default platform ("linux/amd64"),
	// used for targets that declare none.
	DefaultPlatform string
	// BuilderPlatforms are the platforms the builder runs natively; when
	// empty, nodes are not classified.
	BuilderPlatforms []string
}
