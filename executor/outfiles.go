package executor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// stdoutDest is the dest that means standard output, as in buildx.
const stdoutDest = "-"

// fileOutputs are the files a run's solves write (type=docker, oci and
// tar outputs with a dest). Each is written to a temporary file next to
// its destination; Commit moves a target's files into place only once
// every node of the target succeeded, all of them at once, so that a
// failed platform leaves every file of its target as it was. A dest of
// "-" is standard output, written as the build streams it.
//
// Files belong to one attempt of a node: a solve moved off a lost node
// runs again elsewhere while the call to the lost node may still return
// (or write) later, abandoned by the walk. Only the latest attempt
// writes; an earlier one's files are removed when the next begins, and
// its late failure removes only its own.
type fileOutputs struct {
	stdout io.Writer // nil: no output may go to stdout

	mu       sync.Mutex
	pending  []pendingFile
	written  []string       // by commitAll, in order ("stdout" for dest=-)
	attempts map[string]int // node -> its latest attempt (begin)
}

type pendingFile struct {
	node, target string
	attempt      int
	tmp, dest    string
}

// errStaleAttempt refuses a write of an attempt that a newer one replaced.
var errStaleAttempt = errors.New("a newer attempt of this solve runs on another node")

// begin starts a new attempt of node and returns it; the files of its
// earlier attempts are removed (they failed, or were abandoned).
func (f *fileOutputs) begin(node string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attempts == nil {
		f.attempts = map[string]int{}
	}
	f.attempts[node]++
	f.removeLocked(func(p pendingFile) bool { return p.node == node })
	return f.attempts[node]
}

// stale reports whether a newer attempt of node began after attempt.
func (f *fileOutputs) stale(node string, attempt int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return attempt != f.attempts[node]
}

// create returns the writer BuildKit streams output for target into, for
// attempt of node (0 for a merge node, which has one).
func (f *fileOutputs) create(node string, attempt int, target, dest string) func(map[string]string) (io.WriteCloser, error) {
	return func(map[string]string) (io.WriteCloser, error) {
		if f.stale(node, attempt) {
			return nil, errStaleAttempt
		}
		if dest == stdoutDest {
			if f.stdout == nil {
				return nil, errors.New("dest=- writes to standard output, which this run does not have")
			}
			return nopCloser{f.stdout}, nil
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return nil, err
		}
		tmp, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
		if err != nil {
			return nil, err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if attempt != f.attempts[node] {
			tmp.Close()
			os.Remove(tmp.Name())
			return nil, errStaleAttempt
		}
		f.pending = append(f.pending, pendingFile{node: node, target: target, attempt: attempt, tmp: tmp.Name(), dest: dest})
		return tmp, nil
	}
}

// write writes dest for node's target with fn, to a temporary file (or
// stdout): the merged outputs of a merge node, moved in by commitAll.
func (f *fileOutputs) write(node, target, dest string, fn func(io.Writer) error) error {
	w, err := f.create(node, 0, target, dest)(nil)
	if err != nil {
		return err
	}
	err = fn(w)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err == nil && dest == stdoutDest {
		f.mu.Lock()
		f.written = append(f.written, publishedAs(dest))
		f.mu.Unlock()
	}
	return err
}

// drop removes what attempt of node wrote: it failed, or is retried.
func (f *fileOutputs) drop(node string, attempt int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.removeLocked(func(p pendingFile) bool { return p.node == node && p.attempt == attempt })
}

func (f *fileOutputs) removeLocked(match func(pendingFile) bool) {
	f.pending = slices.DeleteFunc(f.pending, func(p pendingFile) bool {
		if !match(p) {
			return false
		}
		os.Remove(p.tmp)
		return true
	})
}

// commit moves into place the files of every target whose nodes in rep
// all succeeded, and removes the others. The files of a target that is
// not published are taken off its nodes' Published lists, so that the
// report says only what was written.
func (f *fileOutputs) commit(rep *Report) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	complete := completeTargets(rep)
	var errs []error
	for _, p := range f.pending {
		if !complete[p.target] {
			os.Remove(p.tmp)
			unpublish(rep, p.node, p.dest)
			continue
		}
		if err := p.move(); err != nil {
			unpublish(rep, p.node, p.dest)
			errs = append(errs, err)
		}
	}
	f.pending = nil
	return errors.Join(errs...)
}

// commitAll moves every pending file into place.
func (f *fileOutputs) commitAll() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for _, p := range f.pending {
		if err := p.move(); err != nil {
			errs = append(errs, err)
			continue
		}
		f.written = append(f.written, p.dest)
	}
	f.pending = nil
	return errors.Join(errs...)
}

// cleanup removes every file not committed.
func (f *fileOutputs) cleanup() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pending {
		os.Remove(p.tmp)
	}
	f.pending = nil
}

func (p pendingFile) move() error {
	err := os.Chmod(p.tmp, 0o644)
	if err == nil {
		err = os.Rename(p.tmp, p.dest)
	}
	if err != nil {
		os.Remove(p.tmp)
		return fmt.Errorf("target %s: writing %s: %w", p.target, p.dest, err)
	}
	return nil
}

// completeTargets are the targets all of whose nodes in rep are done.
func completeTargets(rep *Report) map[string]bool {
	out := map[string]bool{}
	if rep == nil {
		return out
	}
	mark := func(name string, ok bool) {
		if done, seen := out[name]; !seen || done {
			out[name] = ok
		}
	}
	for _, nr := range rep.Nodes {
		ok := nr.Status.Succeeded()
		switch n := nr.Node; n.Kind {
		case plan.KindSolve:
			for _, t := range n.Solve.Targets {
				mark(t.Name, ok)
			}
		case plan.KindMerge:
			mark(n.Merge.Target.Name, ok)
		}
	}
	return out
}

func unpublish(rep *Report, node, dest string) {
	for _, nr := range rep.Nodes {
		if nr.Node.ID == node && nr.Result != nil {
			nr.Result.Published = slices.DeleteFunc(nr.Result.Published, func(s string) bool { return s == dest })
		}
	}
}

// CheckStdout refuses outputs that cannot share standard output (dest=-):
// a run streams one tarball there at most, nothing else may print there
// meanwhile (--call results), and a directory (type=local, type=oci with
// tar=false) cannot go there. Without stdout (haveStdout false) no output
// may go there. Nothing is built when it fails.
func CheckStdout(p *plan.Plan, haveStdout bool) error {
	merged := map[string]bool{} // targets with a merge node
	for _, n := range p.Nodes {
		if n.Kind == plan.KindMerge {
			merged[n.Merge.Target.Name] = true
		}
	}
	var streams, calls []string
	add := func(who string, o *bake.Export) error {
		if o.Dest != stdoutDest {
			return nil
		}
		switch {
		case o.Type == "local", o.Type == "oci" && o.Attrs["tar"] == "false":
			return fmt.Errorf("%s: output type=%s writes a directory, which cannot go to standard output (dest=-): set dest to a folder", who, o.Type)
		case o.Type == "tar", o.Type == "oci", o.Type == "docker":
			streams = append(streams, fmt.Sprintf("%s (type=%s)", who, o.Type))
		}
		return nil
	}
	for _, n := range p.Nodes {
		switch n.Kind {
		case plan.KindMerge:
			for _, o := range n.Merge.Target.Outputs {
				if plan.MergedOutput(o) {
					if err := add(n.ID, o); err != nil {
						return err
					}
				}
			}
		case plan.KindSolve:
			if isCall(n.Solve.Targets[0]) {
				calls = append(calls, n.ID)
				continue
			}
			for i, t := range n.Solve.Targets {
				role := n.Solve.Role
				if i < len(n.Solve.Roles) {
					role = n.Solve.Roles[i]
				}
				if role == plan.RoleDependency {
					continue
				}
				for _, o := range t.Outputs {
					if merged[t.Name] && plan.MergedOutput(o) {
						continue // the merge node writes it
					}
					if err := add(t.Name+"@"+n.Platform, o); err != nil {
						return err
					}
				}
			}
		}
	}
	switch {
	case len(streams) == 0:
		return nil
	case !haveStdout:
		return fmt.Errorf("%s: output dest=- writes to standard output, which this run does not have", streams[0])
	case len(streams) > 1:
		return fmt.Errorf("several outputs write to standard output (dest=-): %s; one tarball at most can go there: set dest to a file for the others", strings.Join(streams, ", "))
	case len(calls) > 0:
		return fmt.Errorf("%s prints its --call result to standard output, where %s writes a tarball (dest=-): build them in separate runs, or set dest to a file", calls[0], streams[0])
	}
	return nil
}

// publishedAs is how the report names a file output: "stdout" for dest=-.
func publishedAs(dest string) string {
	if dest == stdoutDest {
		return "stdout"
	}
	return dest
}

// part writes a part of a merged output (private to the run) for
// attempt of node: the merge reads it only if the solve succeeded. It is
// written beside path and moved there when complete, unless a newer
// attempt began meanwhile, so that an abandoned attempt never writes
// into the part the merge reads.
func (f *fileOutputs) part(node string, attempt int, path string) func(map[string]string) (io.WriteCloser, error) {
	return func(map[string]string) (io.WriteCloser, error) {
		if f.stale(node, attempt) {
			return nil, errStaleAttempt
		}
		tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
		if err != nil {
			return nil, err
		}
		return &partFile{File: tmp, path: path, current: func() bool { return !f.stale(node, attempt) }}, nil
	}
}

type partFile struct {
	*os.File
	path    string
	current func() bool
}

func (p *partFile) Close() error {
	err := p.File.Close()
	if err == nil && !p.current() {
		err = errStaleAttempt
	}
	if err == nil {
		err = os.Rename(p.Name(), p.path)
	}
	if err != nil {
		os.Remove(p.Name())
	}
	return err
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
