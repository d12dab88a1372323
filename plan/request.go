package plan

// Request is everything host-specific that planning needs, so that New
// stays a pure function.
type Request struct {
	// DefaultPlatform is the builder's default platform ("linux/amd64"),
	// used for targets that declare none and for "local".
	DefaultPlatform string
	// BuilderPlatforms are the platforms the builder runs natively; when
	// empty, solve nodes are not classified.
	BuilderPlatforms []string
}
