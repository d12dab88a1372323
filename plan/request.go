package plan

// Request is everything host-specific that planning needs, so that New
// stays a pure function.
type Request struct {
	// DefaultPlatform is the builder's default platform ("linux/amd64"),
	// used for targets that declare none and for "local". Required when a
	// target needs it.
	DefaultPlatform string
	// BuilderPlatforms are the platforms the builder runs natively, without
	// QEMU, for planning without its nodes (--builder-platforms): each
	// solve is then classified as one node that runs all of them would run
	// it. A BuildKit worker's platform list is not that: it also holds
	// every platform QEMU provides. With Nodes it is not read: each node's
	// own platforms decide. When both are empty, solve nodes are not
	// classified.
	BuilderPlatforms []string
	// Dockerfiles reads the targets' Dockerfiles (package dockerfile, with
	// BuildKit's own parser; the caller gives it, so that New reads no
	// file and this package links no BuildKit). A solve of a foreign
	// platform is cross, not emulated, when every RUN step of its build
	// runs on a platform the builder runs natively (FROM
	// --platform=$BUILDPLATFORM, directly or through build arguments);
	// each solve gets the images its build pulls (Solve.Images), and an
	// emulated one its steps under QEMU (Solve.EmulatedRuns). When nil, or
	// when it cannot tell, a foreign solve counts as emulated.
	Dockerfiles Dockerfiles
	// Nodes are the BuildKit nodes of the builder: with them, every solve
	// gets a home node (Node.Builder) and is classified for that node
	// (see place in placement.go).
	Nodes []BuilderNode
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
