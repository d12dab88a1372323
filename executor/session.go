package executor

import (
	"context"
	"io"
	"io/fs"
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
// local-sessionid:NAME). They live for the whole run, so a dependent's
// solve can still resolve its dependency's local sources.
type sharedSessions struct {
	byBuilder map[*Builder][]*sharedSession
	stats     map[string]*TransferStats // by directory
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
	return &sharedSessions{byBuilder: map[*Builder][]*sharedSession{}, stats: map[string]*TransferStats{}}
}

// assign returns the ID of the session that serves dir as name on b,
// creating one when none can.
func (ss *sharedSessions) assign(ctx context.Context, b *Builder, name, dir string) (string, error) {
	list := ss.byBuilder[b]
	for _, s := range list {
		if s.dirs[name] == dir {
			return s.s.ID(), nil
		}
	}
	for _, s := range list {
		if _, taken := s.dirs[name]; !taken {
			s.dirs[name] = dir
			return s.s.ID(), nil
		}
	}
	s, err := session.NewSession(ctx, "xbake-"+b.Name)
	if err != nil {
		return "", err
	}
	ss.byBuilder[b] = append(list, &sharedSession{s: s, dirs: map[string]string{name: dir}})
	return s.ID(), nil
}

// run attaches the directories and runs every session until ctx ends.
// It returns once all of them are connected or failed to.
func (ss *sharedSessions) run(ctx context.Context, wg *sync.WaitGroup) error {
	for b, list := range ss.byBuilder {
		for _, s := range list {
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
	}
	return nil
}

func (ss *sharedSessions) close() {
	for _, list := range ss.byBuilder {
		for _, s := range list {
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
