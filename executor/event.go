package executor

import (
	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/plan"
)

// EventKind says what happened to a node.
type EventKind string

const (
	// EventStarted: the node's dependencies are done and it holds a slot.
	EventStarted EventKind = "started"
	// EventProgress: the part of a BuildKit status update of a solve
	// that is the solve's own (see vertices.go): a vertex shows under
	// one node per builder.
	EventProgress EventKind = "progress"
	// EventRetry: a transient error; the node runs again after a pause.
	EventRetry EventKind = "retry"
	// EventFinished: the node ended (done, cached, failed, skipped or
	// canceled); Report says how.
	EventFinished EventKind = "finished"
)

// Event is one thing the executor reports. The executor never prints:
// the CLI renders events (progress display, summary).
type Event struct {
	Kind   EventKind
	Node   *plan.Node
	Status *client.SolveStatus // EventProgress
	Err    error               // EventRetry: the transient error
	Report *NodeReport         // EventFinished
}
