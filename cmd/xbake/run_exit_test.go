package main

import (
	"errors"
	"fmt"
	"testing"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// A node that failed because xbake panicked is an internal error (70);
// any other failure is a build failure (1).
func TestRunExitCode(t *testing.T) {
	pe := &executor.PanicError{Node: "app@linux/amd64", Value: "boom"}
	failed := func(err error) *executor.Report {
		return &executor.Report{Nodes: []*executor.NodeReport{
			{Node: &plan.Node{ID: "app@linux/amd64"}, Status: executor.StatusFailed, Err: err},
		}}
	}
	for _, tc := range []struct {
		rep    *executor.Report
		runErr error
		want   int
	}{
		{failed(pe), pe, exitInternal},
		{failed(pe), errors.Join(errors.New("other"), fmt.Errorf("wrapped: %w", pe)), exitInternal},
		{failed(pe), errors.New("first failure elsewhere"), exitInternal},
		{failed(errors.New("build error")), errors.New("build error"), exitFailure},
		{nil, errors.New("no report"), exitFailure},
	} {
		if got := runExitCode(tc.rep, tc.runErr); got != tc.want {
			t.Errorf("runExitCode(%v) = %d, want %d", tc.runErr, got, tc.want)
		}
	}
}
