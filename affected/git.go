package affected

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xbake/xbake/localfile"
)

// Error is a problem with the flag's value or the checkout: exit code 2.
type Error struct{ msg string }

func (e *Error) Error() string { return e.msg }

// Changes are the files that differ between a revision and the work tree.
type Changes struct {
	Ref    string // as given
	Commit string // what git resolved it to
	Root   string // the work tree's top folder (symlinks resolved)
	// Paths are absolute and sorted: changed, added or deleted tracked
	// files, staged or not, and untracked files that git does not ignore.
	Paths []string
}

// Since compares ref with the work tree that holds dir.
func Since(ctx context.Context, dir, ref string) (*Changes, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return nil, &Error{"--affected-since needs git, which is not on PATH"}
	}
	root, err := git(ctx, dir, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, &Error{fmt.Sprintf("--affected-since needs a git work tree: %s is not in one", dir)}
	}
	root = strings.TrimSpace(root)
	commit, err := git(ctx, root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil || ref == "" || strings.HasPrefix(ref, "-") {
		return nil, &Error{fmt.Sprintf("--affected-since %s: git cannot find that revision in %s; fetch it first (for example: git fetch origin) or give a commit", ref, root)}
	}
	c := &Changes{Ref: ref, Commit: strings.TrimSpace(commit), Root: root}
	tracked, err := git(ctx, root, "diff", "--name-only", "-z", "--no-renames", c.Commit, "--")
	if err != nil {
		return nil, fmt.Errorf("--affected-since %s: git diff: %w", ref, err)
	}
	untracked, err := git(ctx, root, "ls-files", "--others", "--exclude-standard", "-z")
	if err != nil {
		return nil, fmt.Errorf("--affected-since %s: git ls-files: %w", ref, err)
	}
	for _, p := range strings.Split(tracked+untracked, "\x00") {
		if p != "" {
			c.Paths = append(c.Paths, filepath.Join(root, filepath.FromSlash(p)))
		}
	}
	slices.Sort(c.Paths)
	c.Paths = slices.Compact(c.Paths)
	return c, nil
}

// Show returns path's content at the revision; ok is false when it was
// not there. A path outside the work tree is not versioned by it: its
// content now is its content then (inTree false).
func (c *Changes) Show(ctx context.Context, path string) (data []byte, ok, inTree bool) {
	rel, inTree := c.rel(path)
	if !inTree {
		return nil, false, false
	}
	out, err := git(ctx, c.Root, "show", c.Commit+":"+filepath.ToSlash(rel))
	if err != nil {
		return nil, false, true
	}
	return []byte(out), true, true
}

// rel is path relative to the work tree's root, when it is inside.
func (c *Changes) rel(path string) (string, bool) {
	path = localfile.Resolve(path)
	r, err := filepath.Rel(c.Root, path)
	if err != nil || r == ".." || strings.HasPrefix(r, ".."+string(filepath.Separator)) {
		return "", false
	}
	return r, true
}

func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "core.quotepath=off"}, args...)...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return "", errors.New(msg)
		}
		return "", err
	}
	return string(out), nil
}
