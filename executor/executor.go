package executor

import (
	"context"
	"time"

	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/plan"
)

// Solver runs one solve node. It is the seam between the DAG walk and
// BuildKit: the real one is *BuildKit, tests use executortest fakes.
type Solver interface {
	// Solve builds req.Node. It reports progress through req.Progress and,
	// when dependents link to the node, hands its result over with
	// req.Ready before exporting (see SolveRequest).
	Solve(ctx context.Context, req *SolveRequest) (*Result, error)
}

// Publisher runs one merge node: it assembles the per-platform results of
// a target into its multi-platform outputs.
type Publisher interface {
	// Merge publishes n from parts, the results of n.Merge.Solves in the
	// same (platform) order. It is only called when every part succeeded.
	Merge(ctx context.Context, n *plan.Node, parts []*Result) (*Result, error)
}

// SolveRequest is one solve node with what its dependencies produced.
type SolveRequest struct {
	Node *plan.Node
	// Builder names the node the scheduler chose for this attempt; ""
	// without a scheduler (the solver then uses the node's home,
	// Node.Builder, or its only node).
	Builder string
	// Links are the results of the node's `target:` contexts, in the order
	// of Node.Solve.Links.
	Links []*Result
	// Progress receives the solve's BuildKit status updates and the name
	// of the builder that sent them (vertex digests are only comparable
	// within one daemon). It is safe to call from several goroutines. The
	// executor attributes each vertex to one node (vertices.go) before it
	// reports progress and counts steps.
	Progress func(builder string, st *client.SolveStatus)
	// Evaluated says that the solve's build is evaluated: it has read all
	// it needs of its links, so that its dependencies may let go of their
	// results. Solvers that never call it release their links when Solve
	// returns.
	Evaluated func()
	// Ready hands the node's result to its dependents before the solve is
	// over; a solver that calls it must then wait for Release before it
	// lets go of what the result references (BuildKit keeps a dependency's
	// build open while dependents read from it, as buildx does). Solvers
	// that never call it are treated as ready when Solve returns.
	Ready func(*Result)
	// Release is closed once every dependent of the node has evaluated (or
	// ended, or will never start). It is closed already when nothing
	// depends on it.
	Release <-chan struct{}
}

// Result is what a node produced.
type Result struct {
	// Descriptor is the image (manifest or index) the node produced, when
	// it produced one.
	Descriptor ocispec.Descriptor
	// ExporterResponse is BuildKit's raw response (base64 values
	// undecoded), one per target the node served, keyed by target name.
	ExporterResponse map[string]map[string]string
	// Published lists the references and paths written: "repo:tag",
	// "repo@sha256:...", or a file or folder.
	Published []string
	// Builder names the BuildKit node that ran a solve.
	Builder string
	// Ref is the build reference on the builder ("builder/node/ref").
	Ref string
	// Tests are the smoke tests a solve ran in its image, all passed (a
	// failed one fails the solve with a *TestError).
	Tests []TestResult
	// Artifact is solver-private data that a later node of the same
	// executor needs (a gateway state for dependents, a temporary OCI
	// tarball for a merge).
	Artifact any
}

// Status is how a node ended.
type Status string

const (
	StatusDone     Status = "done"
	StatusCached   Status = "cached" // done, and every step came from cache
	StatusFailed   Status = "failed"
	StatusSkipped  Status = "skipped"  // a dependency failed or was skipped
	StatusCanceled Status = "canceled" // the run was canceled first
)

// NodeReport is the outcome of one node.
type NodeReport struct {
	Node   *plan.Node
	Status Status
	Result *Result // nil unless done
	Err    error   // set when failed; wrapped with the node ID
	// Started is when the solve's first own vertex arrived (when the
	// node started, for a merge or a solve that reported none).
	Started time.Time
	// Duration is the node's own time: from Started to the end of its
	// export, less the time its finished build was only held open for
	// dependents to read (see SolveRequest.Ready).
	Duration time.Duration
	// Steps counts the solve's own Dockerfile steps (its dependencies'
	// steps are theirs; see vertices.go) and Cached those that came from
	// the cache.
	Steps, Cached int
	// Builder is the node that ran the solve's last attempt, and Exec how
	// it ran there (native, cross or emulated), when a Scheduler chose;
	// Moves are the attempts that ended because their node was lost.
	Builder string
	Exec    plan.Exec
	Moves   []Move
}

// Move is a solve taken off a lost node.
type Move struct {
	From   string // the node that was lost
	Reason string // why it was declared lost
}

// Report is the outcome of a run, one entry per plan node in plan order.
type Report struct {
	Nodes []*NodeReport
}
