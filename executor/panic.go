package executor

import (
	"context"
	"fmt"
	"runtime/debug"
	"sync/atomic"
)

// PanicError is a node that failed because xbake itself panicked while
// running it: a bug in xbake, which the CLI reports as an internal error
// (exit code 70), with Stack under --debug.
type PanicError struct {
	Node  string
	Value any
	Stack []byte
}

func (e *PanicError) Error() string {
	return fmt.Sprintf("%s: internal error: %v (a bug in xbake; please report it with the command you ran)", e.Node, e.Value)
}

// recoverAs turns a panic of the goroutine it is deferred in into a
// *PanicError of node in *err. Every goroutine that runs xbake's code for
// a node defers it (or, in a deferred closure, where recover must be
// called, panicError): a panic that escapes a goroutine ends the process
// at once, with exit code 2 (the code of an invalid definition) and no
// cleanup.
func recoverAs(node string, err *error) {
	if r := recover(); r != nil {
		*err = panicError(node, r)
	}
}

// panicError is the error of node for the panic value r, with the stack
// of the goroutine that panicked (called while it unwinds).
func panicError(node string, r any) *PanicError {
	return &PanicError{Node: node, Value: r, Stack: debug.Stack()}
}

// panicGuard catches the panics of a solve's callbacks (its build
// function, progress, the docker load), which run on goroutines of
// BuildKit's client or of the solve: the first fails the solve and
// cancels its build.
type panicGuard struct {
	node   string
	cancel context.CancelCauseFunc // the build's
	first  atomic.Pointer[PanicError]
}

// run calls fn and returns the *PanicError of its panic, if it panicked.
func (g *panicGuard) run(fn func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			pe := panicError(g.node, r)
			if g.first.CompareAndSwap(nil, pe) {
				g.cancel(pe)
			}
			err = pe
		}
	}()
	fn()
	return nil
}

// err is the first panic's error, or nil.
func (g *panicGuard) err() error {
	if pe := g.first.Load(); pe != nil {
		return pe
	}
	return nil
}
