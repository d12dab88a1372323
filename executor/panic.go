package executor

import "fmt"

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
