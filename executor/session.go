package executor

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/filesync"
	"github.com/tonistiigi/fsutil"
	fstypes "github.com/tonistiigi/fsutil/types"
)

// sharedSessions hold the local directories of a run, one session per
// (builder, set of non-conflicting mount names), like buildx's
// detectSharedMounts: every solve on a builder that mounts the same
// directory under the same name reads it through the same session, so
// BuildKit transfers it once per daemon (frontend attribute
// local-sessionid:NAME). A node's sessions open when a solve is first
// placed there, for every solve of the run (a solve may move there),
// and live for the whole run, so a dependent's solve can still resolve
// its dependency's local sources.
type sharedSessions struct {
	mu        sync.Mutex
	byBuilder map[*Builder]*nodeSessions
	stats     map[string]*TransferStats // by directory
}

// nodeSessions are the sessions open on one node.
type nodeSessions struct {
	list []*sharedSession
	// own: the node's BuildKit (before 0.13, such as the one built into
	// docker 20.10) reads local directories only from the solve's own
	// session and ignores local-sessionid, so each solve sends them
	// itself (SolveOpt.LocalMounts).
	own bool
}

type sharedSession struct {
	s    *session.Session
	dirs map[string]string // mount name -> directory
}

// TransferStats count what BuildKit read of one local directory.
type TransferStats struct {
	Files atomic.Int64 // files opened (their content sent)
	Bytes atomic.Int64
}

func newSharedSessions() *sharedSessions {
	return &sharedSessions{byBuilder: map[*Builder]*nodeSessions{}, stats: map[string]*TransferStats{}}
}

// on returns b's sessions, opening them the first time: one for each set
// of the solves' local directories that do not conflict by name.
func (ss *sharedSessions) on(ctx context.Context, b *Builder, info *client.Info, solves []*prepared, wg *sync.WaitGroup) (*nodeSessions, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ns := ss.byBuilder[b]; ns != nil {
		return ns, nil
	}
	if !sharesSessions(info) {
		ns := &nodeSessions{own: true}
		ss.byBuilder[b] = ns
		return ns, nil
	}
	ns := &nodeSessions{}
	for _, pr := range solves {
		for _, name := range slices.Sorted(maps.Keys(pr.in.locals)) {
			if err := ns.assign(ctx, b, name, pr.in.locals[name]); err != nil {
				return nil, err
			}
		}
	}
	if err := ss.run(ctx, b, ns, wg); err != nil {
		return nil, err
	}
	ss.byBuilder[b] = ns
	return ns, nil
}

// id is the session that serves dir as name.
func (ns *nodeSessions) id(name, dir string) string {
	for _, s := range ns.list {
		if s.dirs[name] == dir {
			return s.s.ID()
		}
	}
	return ""
}

// assign finds or makes a session that serves dir as name on b.
func (ns *nodeSessions) assign(ctx context.Context, b *Builder, name, dir string) error {
	if ns.id(name, dir) != "" {
		return nil
	}
	for _, s := range ns.list {
		if _, taken := s.dirs[name]; !taken {
			s.dirs[name] = dir
			return nil
		}
	}
	s, err := session.NewSession(ctx, "xbake-"+b.Name)
	if err != nil {
		return err
	}
	ns.list = append(ns.list, &sharedSession{s: s, dirs: map[string]string{name: dir}})
	return nil
}

// run attaches the directories and runs b's sessions until ctx ends.
func (ss *sharedSessions) run(ctx context.Context, b *Builder, ns *nodeSessions, wg *sync.WaitGroup) error {
	for _, s := range ns.list {
		src := filesync.StaticDirSource{}
		for name, dir := range s.dirs {
			f, err := ss.fs(dir)
			if err != nil {
				return err
			}
			src[name] = f
		}
		s.s.Allow(filesync.NewFSSyncProvider(src))
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = s.s.Run(ctx, b.Client.Dialer())
		}()
	}
	return nil
}

// fs is what a session sends of dir; ss.mu is held.
func (ss *sharedSessions) fs(dir string) (fsutil.FS, error) {
	base, err := fsutil.NewFS(dir)
	if err != nil {
		return nil, err
	}
	st := ss.stats[dir]
	if st == nil {
		st = &TransferStats{}
		ss.stats[dir] = st
	}
	// Files belong to root inside the build, as with docker build.
	f, err := fsutil.NewFilterFS(base, &fsutil.FilterOpt{Map: func(_ string, s *fstypes.Stat) fsutil.MapResult {
		s.Uid, s.Gid = 0, 0
		return fsutil.MapResultKeep
	}})
	if err != nil {
		return nil, err
	}
	return &countingFS{FS: f, stats: st}, nil
}

// mounts are a solve's local directories for its own session, on a node
// that cannot share sessions (nodeSessions.own).
func (ss *sharedSessions) mounts(locals map[string]string) (map[string]fsutil.FS, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := map[string]fsutil.FS{}
	for name, dir := range locals {
		f, err := ss.fs(dir)
		if err != nil {
			return nil, err
		}
		out[name] = f
	}
	return out, nil
}

// sharesSessions reports whether a node's BuildKit, by its answer to
// Info (nil when it has none: before v0.11), reads a solve's local
// directories from another session (the local-sessionid frontend
// attribute, BuildKit 0.13 and later).
func sharesSessions(info *client.Info) bool {
	if info == nil {
		return false
	}
	major, minor, ok := strings.Cut(strings.TrimPrefix(info.BuildkitVersion.Version, "v"), ".")
	if !ok {
		return true // a development build
	}
	minor, _, _ = strings.Cut(minor, ".")
	ma, err1 := strconv.Atoi(major)
	mi, err2 := strconv.Atoi(minor)
	return err1 != nil || err2 != nil || ma > 0 || mi >= 13
}

func (ss *sharedSessions) close() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	for _, ns := range ss.byBuilder {
		for _, s := range ns.list {
			s.s.Close()
		}
	}
}

// countingFS counts the file contents BuildKit pulls, to verify that a
// shared context is sent once per daemon.
type countingFS struct {
	fsutil.FS
	stats *TransferStats
}

func (c *countingFS) Walk(ctx context.Context, p string, fn fs.WalkDirFunc) error {
	return c.FS.Walk(ctx, p, fn)
}

func (c *countingFS) Open(p string) (io.ReadCloser, error) {
	r, err := c.FS.Open(p)
	if err != nil {
		return nil, err
	}
	c.stats.Files.Add(1)
	return &countingReader{ReadCloser: r, stats: c.stats}, nil
}

type countingReader struct {
	io.ReadCloser
	stats *TransferStats
}

func (r *countingReader) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.stats.Bytes.Add(int64(n))
	return n, err
}
