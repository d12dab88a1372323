package plan

import (
	"github.com/hashicorp/hcl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// Kind says what a node does.
type Kind string

const (
	// KindSolve builds one target for one platform.
	KindSolve Kind = "solve"
	// KindMerge assembles the per-platform results of one target into one
	// multi-platform output (an image index pushed to every tag, or one OCI
	// layout or tarball).
	KindMerge Kind = "merge"
)

// Exec says how a solve node runs on the builder.
type Exec string

const (
	// ExecUnknown: no builder platforms were given.
	ExecUnknown Exec = ""
	// ExecNative: a builder runs the platform natively.
	ExecNative Exec = "native"
	// ExecCross: the platform is foreign, but every RUN step of the build
	// runs on the build platform (FROM --platform=$BUILDPLATFORM): the
	// result is cross-compiled, without QEMU.
	ExecCross Exec = "cross"
	// ExecEmulated: RUN steps of the platform go through QEMU user mode.
	ExecEmulated Exec = "emulated"
)

// Role says what a solve's result is for.
type Role string

const (
	// RoleExport: the solve writes its targets' outputs itself (every
	// output of a single-platform target, and the per-platform outputs
	// docker, local and cacheonly of a multi-platform one).
	RoleExport Role = "export"
	// RoleMerge: the solve's image goes to a merge node of its target
	// (pushed by digest, or kept as an OCI layout), in addition to any
	// per-platform outputs.
	RoleMerge Role = "merge"
	// RoleDependency: the target was not requested; its result only feeds
	// dependents through `target:` contexts and nothing is exported.
	RoleDependency Role = "dependency"
)

// maxRole returns the role that does more: a solve serving several targets
// has the largest of their roles (merge, then export, then dependency).
func maxRole(a, b Role) Role {
	rank := func(r Role) int {
		switch r {
		case RoleMerge:
			return 3
		case RoleExport:
			return 2
		case RoleDependency:
			return 1
		}
		return 0
	}
	if rank(b) > rank(a) {
		return b
	}
	return a
}

// Plan is the DAG of one run.
type Plan struct {
	// Nodes are in topological order (dependencies first): level by level,
	// each level sorted by ID, so the order is the same on every machine.
	Nodes []*Node
	// Emulated counts the solve nodes that need QEMU (zero when
	// Request.BuilderPlatforms was empty).
	Emulated int
	// LoadIndex is Request.LoadIndex: the merge nodes of multi-platform
	// targets also load their type=docker outputs without dest.
	LoadIndex bool
	// Builders are Request.Nodes, the nodes Builder names.
	Builders []BuilderNode
}

// Node is one unit of work.
type Node struct {
	// ID is readable and stable: "app@linux/arm64" for a solve,
	// "app#index" for a merge.
	ID   string
	Kind Kind
	// Target is the target the node builds or merges (the first one when a
	// solve serves several identical targets).
	Target string
	// Platform is the canonical "os/arch[/variant]" of a solve; empty for
	// a merge.
	Platform string
	// DefaultPlatform is true when the platform came from
	// Request.DefaultPlatform for every target the solve serves: the target
	// declared no platforms, or wrote "local".
	DefaultPlatform bool
	// Deps are the IDs of the nodes this one waits for, sorted.
	Deps []string
	// Level is the node's depth: 0 for no dependencies, else 1 + the
	// largest level of its dependencies.
	Level int
	// Exec is native, cross or emulated for a solve when
	// Request.BuilderPlatforms or Request.Nodes was given (with Nodes, on
	// the solve's home); empty otherwise and for merges.
	Exec Exec
	// Builder is the solve's home node when Request.Nodes was given: the
	// node it runs on unless that node is busy or lost (the executor then
	// follows Candidates). Exec is then how it runs there.
	Builder string
	// candidates are the nodes that can run the solve, best kind first,
	// then in rendezvous order (see Plan.Candidates).
	candidates []Candidate
	// listed: a node lists a way to run the solve (see Plan.Runnable).
	listed bool
	// classified is Exec as classify decided it for the builder's
	// platforms, before any placement: what Plan.Place reads.
	classified Exec

	Solve *Solve // set for KindSolve
	Merge *Merge // set for KindMerge

	// Origin is the declaring block, for errors.
	Origin hcl.Range
}

// Solve is what a solve node builds: BuildKit-agnostic data.
type Solve struct {
	// Targets are the resolved targets this solve serves, sorted by name.
	// They share every build input (see staticKey in dedup.go); the first
	// one's inputs are used, and each one's tags and outputs are written as
	// Roles says.
	Targets []*bake.Target
	// Roles[i] is what the solve does for Targets[i]: export its outputs,
	// feed its merge node (and write its per-platform outputs), or nothing.
	Roles []Role
	// TargetPlatforms[i] are the platforms of Targets[i] as planned:
	// canonical, deduplicated ("local" and a missing list resolved to the
	// default platform), in declaration order. Read, never change: the
	// slice is shared by every solve of the target and its merge node.
	TargetPlatforms [][]string
	Platform        ocispec.Platform
	// Role is the largest of Roles.
	Role Role
	// Links are the `target:` contexts, sorted by name, each served by the
	// solve node of the dependency for this platform.
	Links []Link

	// Tests are the smoke tests of its targets for its platform
	// (bake.Definition.Tests), in declaration order: the solve runs them
	// in its image before it exports anything.
	Tests []*bake.Test

	// With Request.Dockerfiles (see DockerfileBuild): the Dockerfile's
	// path, the images the build pulls (shared by the solves of the same
	// build), and for an emulated solve the RUN steps that run under QEMU.
	Dockerfile   string
	Images       []BaseImage
	EmulatedRuns []RunStep

	// Inputs are the solve's input digest and what changed, when the
	// request gave them (Request.Inputs).
	Inputs *SolveInputs
	// Unchanged: the solve does not run. Its targets are unchanged
	// (Request.Unchanged) or only linked, and no solve that runs reads it
	// (or those that do read its published result, Link.Image); Reused
	// is its platform's manifest in the image their merge node reuses.
	Unchanged bool
	Reused    ocispec.Descriptor
}

// PerPlatform reports whether Targets[i] is built for several platforms.
// The outputs a solve writes itself for such a target (docker, local, an
// image that is not pushed, a cache) are then named per platform, and its
// merged outputs go to its merge node (Roles[i] is RoleMerge when the
// target was requested). A raw `platforms` list is not the answer:
// "local" and repeats may fold two entries into one platform.
func (s *Solve) PerPlatform(i int) bool { return len(s.TargetPlatforms[i]) > 1 }

// Link is one named context that receives another solve's result.
type Link struct {
	Name string // the context name, as in contexts = { NAME = "target:x" }
	Node string // the ID of the solve node that provides it
	// Image, when set, serves the context instead of Node, which does not
	// run: an image of Node's result published by an earlier run
	// ("repo@sha256:...", Request.Results).
	Image string
}

// Merge is what a merge node assembles.
type Merge struct {
	Target *bake.Target
	// Platforms are the canonical platforms, in the order the target
	// declared them; Node.Deps lists the same solves sorted by ID, so
	// Solves gives them in platform order.
	Platforms []string
	Solves    []string
	// Reuse, for an unchanged target (Request.Unchanged), is the image
	// already published from its inputs: the merge node points the tags
	// at it instead of merging solves, and waits for none (Deps is empty).
	Reuse *Reuse
}
