package digests

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// A local directory is hashed as BuildKit receives it: the client's
// fsutil walks it with the exclude patterns the Dockerfile frontend asks
// for (the same walk, fsutil.WalkDir, is used here), and sends every
// entry with its path, mode, link target, extended attributes and, for a
// regular file, its content. The digest keeps what BuildKit's own cache
// key of a file keeps (cache/contenthash) except the owner: no mtime, no
// uid or gid, no absolute path, so that two checkouts of one commit give
// one digest.

// treeKey names one filtered directory of a run.
type treeKey struct{ dir, excludes string }

// tree returns the digest of dir filtered by excludes, hashing it once
// per Hasher however many solves send it.
func (h *Hasher) tree(ctx context.Context, dir string, excludes []string) (string, error) {
	k := treeKey{dir: dir, excludes: strings.Join(excludes, "\x00")}
	return h.trees.get(k, func() (string, error) { return h.hashTree(ctx, dir, excludes) })
}

// treeEntry is one entry of a walk, in walk (lexical) order.
type treeEntry struct {
	path   string // relative, with "/"
	mode   fs.FileMode
	link   string
	xattrs []string // key, value, key, value... (the keys BuildKit's cache keeps)
	file   *fileResult
}

func (h *Hasher) hashTree(ctx context.Context, dir string, excludes []string) (string, error) {
	if _, err := os.Stat(dir); err != nil {
		return "", fmt.Errorf("the folder %s: %w", dir, unwrapPath(err))
	}
	jobs := make(chan *fileResult, 1024)
	var workers sync.WaitGroup
	for range h.workers() {
		workers.Go(func() {
			for f := range jobs {
				h.hashFile(ctx, f)
			}
		})
	}
	var entries []treeEntry
	err := fsutil.WalkDir(ctx, dir, &fsutil.FilterOpt{ExcludePatterns: excludes}, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		st, ok := fi.Sys().(*fstypes.Stat)
		if !ok {
			return fmt.Errorf("%s: no file information", p)
		}
		mode := fs.FileMode(st.Mode)
		e := treeEntry{path: filepath.ToSlash(p), mode: mode.Type() | mode&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)}
		switch {
		case mode.IsRegular():
			f, fresh := h.file(filepath.Join(dir, p), st)
			if fresh {
				jobs <- f
			}
			e.file = f
		case mode&fs.ModeSymlink != 0:
			// BuildKit keys a symlink by its target; its own mode is 0777.
			e.link, e.mode = st.Linkname, fs.ModeSymlink
		}
		e.xattrs = keptXattrs(st.Xattrs)
		entries = append(entries, e)
		return nil
	})
	close(jobs)
	workers.Wait()
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", dir, unwrapPath(err))
	}
	enc := newEncoder("xbake-tree-v1")
	enc.uint(uint64(len(entries)))
	for _, e := range entries {
		enc.str(e.path)
		enc.uint(uint64(e.mode))
		enc.str(e.link)
		enc.strs(e.xattrs)
		if e.file != nil {
			<-e.file.done // another tree may be hashing it
			if e.file.err != nil {
				return "", e.file.err
			}
			enc.bytes(e.file.sum[:])
		}
	}
	return enc.digest(), nil
}

// keptXattrs are the extended attributes BuildKit's cache key keeps
// (security.capability, and none of the other security.* and system.*),
// sorted.
func keptXattrs(x map[string][]byte) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(x)) {
		if k == "security.capability" || !strings.HasPrefix(k, "security.") && !strings.HasPrefix(k, "system.") {
			out = append(out, k, string(x[k]))
		}
	}
	return out
}

// fileKey is a file as one run sees it.
type fileKey struct {
	path        string
	size, mtime int64
}

type fileResult struct {
	path string
	done chan struct{}
	sum  [sha256.Size]byte
	err  error
}

// file returns the content hash of path, and whether the caller must
// hash it (the first to ask for it).
func (h *Hasher) file(path string, st *fstypes.Stat) (*fileResult, bool) {
	k := fileKey{path: path, size: st.Size, mtime: st.ModTime}
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.files[k]; ok {
		return f, false
	}
	f := &fileResult{path: path, done: make(chan struct{})}
	h.files[k] = f
	return f, true
}

// bufSize is the read size: large enough that reading costs no more than
// hashing.
const bufSize = 1 << 20

var bufs = sync.Pool{New: func() any { b := make([]byte, bufSize); return &b }}

func (h *Hasher) hashFile(ctx context.Context, f *fileResult) {
	defer close(f.done)
	if err := ctx.Err(); err != nil {
		f.err = err
		return
	}
	fd, err := os.Open(f.path)
	if err != nil {
		f.err = fmt.Errorf("reading %s: %w", f.path, unwrapPath(err))
		return
	}
	defer fd.Close()
	sum := sha256.New()
	buf := bufs.Get().(*[]byte)
	defer bufs.Put(buf)
	n, err := io.CopyBuffer(sum, fd, *buf)
	if err != nil {
		f.err = fmt.Errorf("reading %s: %w", f.path, unwrapPath(err))
		return
	}
	sum.Sum(f.sum[:0])
	h.stats.add(n)
}

// workers is how many files one tree reads at once: reading and hashing
// are CPU-bound once the page cache holds the files, and a cold disk
// gains from a few reads in flight.
func (h *Hasher) workers() int { return max(2, runtime.GOMAXPROCS(0)) }

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
