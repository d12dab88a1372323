package executor

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// A solve moved to another node while the call to the lost node was
// abandoned: whatever that call does later (write, fail) leaves the new
// attempt's files alone, and only the new attempt's files are committed.
func TestFileOutputsOfAnAbandonedAttempt(t *testing.T) {
	dir := t.TempDir()
	dest, part := filepath.Join(dir, "app.tar"), filepath.Join(dir, "part.tar")
	f := &fileOutputs{}
	write := func(open func(map[string]string) (io.WriteCloser, error), s string) error {
		w, err := open(nil)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(w, s); err != nil {
			return err
		}
		return w.Close()
	}

	old := f.begin("app@linux/amd64")
	if err := write(f.create("app@linux/amd64", old, "app", dest), "old, half"); err != nil {
		t.Fatal(err)
	}
	cur := f.begin("app@linux/amd64") // the move: the old attempt's file goes
	if err := write(f.create("app@linux/amd64", cur, "app", dest), "new"); err != nil {
		t.Fatal(err)
	}
	if err := write(f.part("app@linux/amd64", cur, part), "new part"); err != nil {
		t.Fatal(err)
	}
	// The abandoned call wakes up: it may not write, and its failure
	// drops only its own files.
	if err := write(f.create("app@linux/amd64", old, "app", dest), "old, late"); !errors.Is(err, errStaleAttempt) {
		t.Errorf("late write of the old attempt: %v", err)
	}
	if err := write(f.part("app@linux/amd64", old, part), "old part"); !errors.Is(err, errStaleAttempt) {
		t.Errorf("late part of the old attempt: %v", err)
	}
	f.drop("app@linux/amd64", old)

	n := &plan.Node{ID: "app@linux/amd64", Kind: plan.KindSolve, Solve: &plan.Solve{Targets: []*bake.Target{{Name: "app"}}}}
	rep := &Report{Nodes: []*NodeReport{{Node: n, Status: StatusDone, Result: &Result{Published: []string{dest}}}}}
	if err := f.commit(rep); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{dest: "new", part: "new part"} {
		if got, err := os.ReadFile(path); err != nil || string(got) != want {
			t.Errorf("%s = %q, %v; want %q", path, got, err, want)
		}
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if !slices.Equal(names, []string{"app.tar", "part.tar"}) {
		t.Errorf("files left: %v", names)
	}
}
