package executor

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
)

func TestTestErrorAndStatus(t *testing.T) {
	te := &TestError{Result: TestResult{Name: "hello", Target: "app", Platform: "linux/arm64",
		Reason: `its output has no match for "Hello, arm64!"`, Output: "Hello, amd64!\nbye\n"}}
	want := "test \"hello\" of target \"app\" failed on linux/arm64: its output has no match for \"Hello, arm64!\"\noutput:\n  Hello, amd64!\n  bye"
	if got := te.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Its output may read like a network failure; it is never retried.
	te.Result.Output = "dial tcp: connection refused"
	if IsTransient(fmt.Errorf("app@linux/arm64: %w", te)) {
		t.Error("a failed test is transient")
	}
	for _, tc := range []struct {
		nr   *NodeReport
		want string
	}{
		{&NodeReport{Status: StatusFailed, Err: fmt.Errorf("x: %w", te)}, "failed"},
		{&NodeReport{Status: StatusFailed, Err: errors.New("RUN failed")}, ""},
		{&NodeReport{Status: StatusDone, Result: &Result{}}, ""},
		{&NodeReport{Status: StatusDone, Result: &Result{Tests: []TestResult{{Passed: true}}}}, "passed"},
		{&NodeReport{Status: StatusCached, Result: &Result{Tests: []TestResult{{Passed: true}, {Passed: true}}}}, "2 passed"},
	} {
		if got := TestStatus(tc.nr); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.nr, got, tc.want)
		}
	}
}

// TestTestOutput: output is kept up to a bound, shown in full as the
// test vertex's logs, and its end kept for messages.
func TestTestOutput(t *testing.T) {
	var logged int
	o := &testOutput{v: &testVertex{progress: func(st *client.SolveStatus) {
		for _, l := range st.Logs {
			logged += len(l.Data)
		}
	}}}
	out, errs := o.stream(1), o.stream(2)
	chunk := strings.Repeat("x", 64<<10)
	for range 20 {
		_, _ = out.Write([]byte(chunk))
	}
	_, _ = errs.Write([]byte("\nthe end\n"))
	if got := len(o.all()); got != testOutputKept {
		t.Errorf("kept %d bytes, want %d", got, testOutputKept)
	}
	if logged != 20*len(chunk)+len("\nthe end\n") {
		t.Errorf("logged %d bytes", logged)
	}
	o = &testOutput{v: &testVertex{}}
	_, _ = o.stream(1).Write([]byte(strings.Repeat("a", 3000) + "the end\n"))
	if tail := o.tail(); !strings.HasPrefix(tail, "…") || !strings.HasSuffix(tail, "the end\n") || len(tail) > testOutputTail+len("…") {
		t.Errorf("tail %q…", tail[:20])
	}
}
