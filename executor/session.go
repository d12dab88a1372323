package executor

import (
	"context"
	"io"
	"io/fs"
	"maps"
	"slices"
	"sync"
	"sync/atomic"

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
func (ss *sharedSessions) on(ctx context.Context, b *Builder, solves []*prepared, wg *sync.WaitGroup) (*nodeSessions, error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ns := ss.byBuilder[b]; ns != nil {
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
			base, err := fsutil.NewFS(dir)
			if err != nil {
				return err
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
				return err
			}
			src[name] = &countingFS{FS: f, stats: st}
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
