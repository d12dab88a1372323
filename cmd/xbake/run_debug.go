//go:build !xbakefront

package main

import (
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/util/stack"

	"github.com/xbake/xbake/executor"
)

// printStacks prints the stack traces an error carries (BuildKit's, from
// the daemon and the client library) under --debug, after the errors
// themselves; red hides secret values, as everywhere.
func printStacks(w io.Writer, rep *executor.Report, runErr error, red *executor.Redactor) {
	var errs []error
	if rep != nil {
		for _, nr := range rep.Nodes {
			if nr.Status == executor.StatusFailed && nr.Err != nil {
				errs = append(errs, nr.Err)
			}
		}
	}
	if len(errs) == 0 && runErr != nil {
		errs = append(errs, runErr)
	}
	for _, err := range errs {
		var pe *executor.PanicError
		if errors.As(err, &pe) {
			fmt.Fprintf(w, "\nDEBUG: where xbake panicked in %s:\n%s", pe.Node, pe.Stack)
			continue
		}
		traces := stack.Traces(err)
		if len(traces) == 0 {
			continue
		}
		var b strings.Builder
		fmt.Fprintf(&b, "\nDEBUG: stack traces of: %s\n", err)
		for _, s := range traces {
			prog := "?"
			if len(s.Cmdline) > 0 {
				prog = filepath.Base(s.Cmdline[0])
			}
			if s.Version != "" {
				prog += " " + s.Version
			}
			fmt.Fprintf(&b, "%s, pid %d: %s\n", prog, s.Pid, strings.Join(s.Cmdline, " "))
			for _, f := range s.Frames {
				fmt.Fprintf(&b, "%s\n\t%s:%d\n", f.Name, f.File, f.Line)
			}
		}
		fmt.Fprint(w, red.String(b.String()))
	}
}
