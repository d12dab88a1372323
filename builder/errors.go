package builder

import (
	"errors"
	"fmt"
)

// ConfigError is a builder configuration that cannot work as written: an
// unknown name, a malformed store file, a missing TLS file. Retrying does
// not help; the user must change the configuration (exit code 2).
type ConfigError struct {
	msg string
}

func (e *ConfigError) Error() string { return e.msg }

func configErrorf(format string, args ...any) error {
	return &ConfigError{msg: fmt.Sprintf(format, args...)}
}

// IsConfigError reports whether err is (or wraps) a ConfigError.
func IsConfigError(err error) bool {
	var ce *ConfigError
	return errors.As(err, &ce)
}

// NodeError is a node that could not be reached (exit code 1): it names
// the node, its endpoint and what to do about it for its driver.
type NodeError struct {
	Node   *Node
	Err    error
	Remedy string
}

func (e *NodeError) Error() string {
	n := e.Node
	var msg string
	switch {
	case n.Builder == AddressBuilder && n.source != "":
		msg = fmt.Sprintf("BuildKit at %s (%s) does not answer: %v", n.Endpoint, n.source, e.Err)
	case n.Builder == "" || n.Builder == AddressBuilder:
		msg = fmt.Sprintf("BuildKit node %s at %s does not answer: %v", n.Name, n.Describe(), e.Err)
	default:
		msg = fmt.Sprintf("builder %s, node %s (%s) does not answer: %v", n.Builder, n.Name, n.Describe(), e.Err)
	}
	if e.Remedy != "" {
		msg += "\n" + e.Remedy
	}
	return msg
}

func (e *NodeError) Unwrap() error { return e.Err }
