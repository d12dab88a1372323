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
	// Nodes are the BuildKit nodes of the builder: with them, every solve
	// gets a home node (Node.Builder) and is classified for that node
	// (see place in placement.go).
	Nodes []BuilderNode
	// CrossCompiled names the targets whose Dockerfile runs every RUN step
	// on the build platform (see CrossCompiles): their foreign-platform
	// solves are cross, not emulated. The caller reads the Dockerfiles.
	CrossCompiled map[string]bool
	// LoadIndex says that the Docker engine of --load keeps a
	// multi-platform image under one tag (containerd's image store): the
	// type=docker outputs without dest of a multi-platform target are then
	// one image, assembled and loaded by the target's merge node, as buildx
	// does. Otherwise each platform is loaded under its own tag.
	LoadIndex bool
}
