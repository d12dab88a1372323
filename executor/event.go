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
	// EventPlaced: the scheduler chose the node of a solve attempt
	// (Builder); progress of the attempt follows.
	EventPlaced EventKind = "placed"
	// EventMoved: the solve's node was lost; the solve starts again on
	// another one. Err is the *NodeLostError.
	EventMoved EventKind = "moved"
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
	Err    error               // EventRetry: the transient error; EventMoved: why
	// Builder is the node a solve runs on (EventStarted, EventProgress,
	// EventRetry), when a Scheduler chose it.
	Builder string
	Report  *NodeReport // EventFinished
}
