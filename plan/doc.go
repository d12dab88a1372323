// Package plan is the third phase of xbake: a pure, deterministic function
// from the resolved bake model to a DAG.
//
// New takes a bake.Definition (the requested targets and, marked Linked,
// the targets they depend on) and a Request (the builder's default
// platform, its native platforms or its nodes, what the Dockerfiles do,
// and what --atomic, --load and --skip-unchanged ask), and returns a
// Plan, or diagnostics with positions and no Plan when the definition
// cannot be built. It reads no environment, clock or file system, and
// never lets Go's map order reach its output, so the same input always
// gives byte-identical JSON. Package executor runs the result.
//
// # Nodes
//
// One solve node per (target, platform), with ID "app@linux/arm64". A
// target without platforms, and the element "local", get
// Request.DefaultPlatform. Platforms are parsed with containerd/platforms,
// normalised and spelled canonically ("linux/arm64/v8" and "linux/aarch64"
// are "linux/arm64"; "linux/arm" is "linux/arm/v7"), deduplicated keeping
// the first position; incomplete specifiers ("linux", "arm64"), which
// containerd would complete from the host, and unknown operating systems,
// architectures and variants are errors (see ParsePlatform).
//
// One merge node per requested target with several platforms and an output
// that is one multi-platform artefact (MergedOutput: registry, image with
// push, oci, tar; docker without dest too with Request.LoadIndex) or a
// registry cache-to (MergedCache: the per-platform caches joined under the
// ref written), with ID "app#index"; with Request.Atomic also every
// single-platform target that pushes an image (PushedImage), so that its
// tags are written after the whole run. Its solves have RoleMerge; other
// outputs (docker, local, cacheonly) are per platform and written by the
// solves themselves (RoleExport), as is everything of a single-platform
// target. Linked targets export nothing (RoleDependency).
//
// The plan is the only place that decides platforms, roles and merges
// (DESIGN.md decision 8): Solve.Roles says what a solve does for each of
// its targets, and Solve.TargetPlatforms gives each target's planned
// platforms, from which the executor names per-platform outputs. Later
// phases read these and never the raw `platforms` list, where "local" and
// aliases may name one platform twice.
//
// Two (target, platform) pairs with the same build inputs are one solve
// serving both (Solve.Targets); see staticKey in dedup.go for what counts.
//
// # Edges
//
// `contexts = { x = "target:y" }` makes app@P depend on y@P, or on y's
// only platform when it has one. A dependency with several platforms that
// lacks one of its dependent's is an error, as are links to unknown targets,
// to the target itself, and cycles (one diagnostic per cycle, "a -> b -> a",
// at the reference that closes it). These link rules live here only:
// CheckLinks applies them for `xbake --print`, which has no builder.
//
// Plan.Nodes is topological, one level after the other (Level is the
// longest path from a node without dependencies), each level sorted by ID.
//
// # Emulation
//
// How a node runs a solve is one rule (parsedNode.exec), for each node of
// Request.Nodes (see Placement) or, without nodes, for the builder as a
// whole (Request.BuilderPlatforms as one node). A solve is native when
// a platform the node runs natively matches it with containerd's
// platforms.Only rule (amd64 runs 386, arm/v7 runs arm/v6, amd64/v3 runs
// amd64/v2), except that arm64 does not count as native for 32-bit arm,
// which many arm64 CPUs cannot run (see nativeMatcher). A solve that is
// not native is cross instead of emulated when every RUN step of the
// Dockerfile stages it needs, for that platform, runs on a platform the
// node runs natively (FROM --platform=$BUILDPLATFORM, directly or through
// build arguments).
// Request.Dockerfiles answers that; package dockerfile reads Dockerfiles
// with BuildKit's own parser for it, and the caller hands it in (through
// package preflight), so that this package reads no file and links no
// BuildKit. Every solve then also lists the images its build pulls, with
// the platform each is pulled for (Solve.Images, which the base-image
// check of package preflight marks), and an emulated one its RUN steps
// under QEMU with the advice for a known toolchain (Solve.EmulatedRuns).
//
// # Tests
//
// The smoke tests of bake.Definition.Tests go to the solves of their
// target, for the platforms they name (each must be one the target is
// built for) or all of them (Solve.Tests); the executor runs them before
// the solve writes anything.
//
// # Placement
//
// With Request.Nodes (the builder's nodes: native and emulated
// platforms, capacity), every solve gets a home node (Node.Builder) and
// Exec is how it runs there: rendezvous hashing of the solve ID over the
// nodes of the best kind for its platform (native, then cross-compiling,
// then emulating), each node's load bounded by its fair share by
// capacity; solves are taken in hash order, so the result does not
// depend on the order of the nodes (see place in placement.go). A node
// cross-compiles a solve by the rule above, asked with that node's
// platforms: Request.Dockerfiles gets the node's own platform as
// BUILDPLATFORM.
// Plan.Candidates gives the executor a solve's other nodes, best first,
// for when the home is busy or lost, and Plan.Runnable whether any node
// lists a way to run it (when none does, every node is a last-resort
// candidate, and a node that did not answer may be needed).
//
// # Unchanged targets
//
// With Request.Unchanged (targets whose image, built from the same
// inputs, is published) and Request.Results (published results of
// dependencies), found by the caller with package digests, the plan
// decides what runs (reuse.go): an unchanged target gets a merge node
// that reuses its image (Merge.Reuse), its solves are skipped
// (Solve.Unchanged) unless a solve that runs reads them, and a dependency
// with a published result is read as that image (Link.Image).
// Request.Inputs only labels the solves for --plan.
//
// # Output
//
// WriteJSON prints the plan (`xbake --plan`; the README lists its keys,
// which scripts read); WriteGraph draws the DAG as JSON, Graphviz dot or
// a Mermaid flowchart (`xbake graph`).
package plan
