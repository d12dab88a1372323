package executor

import "errors"

// PartialError is a node that failed after it had published part of its
// outputs (the first tags of an index, when the registry refused a later
// one): Result says what was published, so that the summary and the
// metadata file can tell.
type PartialError struct {
	Result *Result
	Err    error
}

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// Output is what the node produced: its Result when it is done, what it
// published before it failed (see PartialError), or nil.
func (nr *NodeReport) Output() *Result {
	if nr.Result != nil {
		return nr.Result
	}
	var pe *PartialError
	if errors.As(nr.Err, &pe) {
		return pe.Result
	}
	return nil
}
