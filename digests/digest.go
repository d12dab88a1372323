package digests

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/xbake/xbake/dockerfile"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// ImageResolver resolves an image reference ("golang:1.26",
// "localhost:5000/x/busybox") to the digest of what the registry serves
// for it: the index of a multi-platform image, else its manifest.
type ImageResolver interface {
	ResolveImage(ctx context.Context, ref string) (string, error)
}

// Options configure a Hasher.
type Options struct {
	// WorkDir resolves relative paths, as for the build.
	WorkDir string
	// Getenv reads the environment variables that change what the
	// executor adds to a build (default os.Getenv).
	Getenv func(string) string
	// Images resolves base images; without it a solve that reads an
	// image has no digest (Solve.Unknown).
	Images ImageResolver
	// ReadFile reads Dockerfiles and ignore files (default
	// inputs.ReadSmallFile).
	ReadFile func(string) ([]byte, error)
	// GitLabels returns the labels the executor adds to a build of r from
	// its git work tree (BUILDX_GIT_LABELS: the commit, the remote, the
	// Dockerfile's path), which change the image; nil: none.
	GitLabels func(ctx context.Context, r *inputs.Request) map[string]string
}

// Hasher computes input digests. One Hasher is one run: it hashes each
// filtered directory, each file and each image once, however many solves
// share them. It is safe for concurrent use.
type Hasher struct {
	opt Options

	trees  memo[treeKey, string]
	images memo[string, string]
	parsed memo[string, *dockerfile.File] // by the content's digest
	mu     sync.Mutex                     // guards files
	files  map[fileKey]*fileResult
	stats  Stats
}

// Stats count what a Hasher read.
type Stats struct {
	Files, Bytes atomic.Int64
}

func (s *Stats) add(n int64) {
	s.Files.Add(1)
	s.Bytes.Add(n)
}

// NewHasher returns a Hasher for one run.
func NewHasher(opt Options) *Hasher {
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	if opt.ReadFile == nil {
		opt.ReadFile = inputs.ReadSmallFile
	}
	return &Hasher{opt: opt, files: map[fileKey]*fileResult{}}
}

// Stats returns what the Hasher has read so far.
func (h *Hasher) Stats() *Stats { return &h.stats }

// Set is the input digests of a plan's solves and targets.
type Set struct {
	// Solves are by node ID.
	Solves map[string]*Solve
	// Targets are the targets that export something, by name.
	Targets map[string]*Target
}

// Solve is the input digest of one solve node.
type Solve struct {
	// Digest covers everything that reaches the solve; "" when Unknown.
	Digest string
	// Result covers what reaches the solve's result, which its dependents
	// read through `target:` contexts (Digest less the attestations, the
	// annotations and default provenance, which only its export adds).
	Result string
	// Unknown says why there is no digest: an input that cannot be known
	// without building (a remote context, an ADD of a URL without
	// --checksum) or that could not be read.
	Unknown string
	// Parts are the digests of the inputs Digest combines, by name (see
	// parts.go), to tell which one changed.
	Parts map[string]string
}

// Target is the input digest of one target: its registry outputs and the
// solve of each of its platforms.
type Target struct {
	Digest  string
	Unknown string
	// Solves are the target's solve nodes, in platform order, and
	// Platforms their canonical platforms.
	Solves, Platforms []string
}

// Plan computes the digests of the solves of p for which want is true
// (every solve when want is nil), and of those their `target:` contexts
// read, and then of every target all of whose solves have one. Files and
// images are read concurrently. A solve whose inputs cannot be known or
// read gets Unknown rather than failing the whole set; the error is the
// context's.
func (h *Hasher) Plan(ctx context.Context, p *plan.Plan, want func(*plan.Node) bool) (*Set, error) {
	need := needed(p, want)
	own := make([]*Solve, len(p.Nodes))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(32)
	for i, n := range p.Nodes {
		if !need[n.ID] {
			continue
		}
		g.Go(func() error {
			own[i] = h.solve(gctx, n)
			return nil
		})
	}
	_ = g.Wait()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	set := &Set{Solves: map[string]*Solve{}, Targets: map[string]*Target{}}
	// Plan order: dependencies first, so a link's digest is known.
	for i, n := range p.Nodes {
		if own[i] != nil {
			set.Solves[n.ID] = link(n, own[i], set.Solves)
		}
	}
	set.targets(p)
	return set, nil
}

// needed are the solves want asks for and those they read.
func needed(p *plan.Plan, want func(*plan.Node) bool) map[string]bool {
	need := map[string]bool{}
	for i := len(p.Nodes) - 1; i >= 0; i-- {
		n := p.Nodes[i]
		if n.Kind != plan.KindSolve || !(need[n.ID] || want == nil || want(n)) {
			continue
		}
		need[n.ID] = true
		for _, l := range n.Solve.Links {
			need[l.Node] = true
		}
	}
	return need
}

// link adds the results of s's `target:` contexts to its own inputs.
func link(n *plan.Node, s *Solve, done map[string]*Solve) *Solve {
	if s.Unknown != "" {
		return s
	}
	for _, l := range n.Solve.Links {
		dep := done[l.Node]
		if dep == nil || dep.Unknown != "" {
			why := "not computed"
			if dep != nil {
				why = dep.Unknown
			}
			return &Solve{Unknown: fmt.Sprintf("contexts.%s (target %s): %s", l.Name, strings.SplitN(l.Node, "@", 2)[0], why), Parts: s.Parts}
		}
		s.Parts["contexts."+l.Name] = dep.Result
	}
	s.seal()
	return s
}

func (h *Hasher) image(ctx context.Context, ref string) (string, error) {
	if _, d, ok := strings.Cut(ref, "@"); ok && strings.HasPrefix(d, "sha256:") && len(d) == len("sha256:")+64 {
		return d, nil // pinned: what the build pulls whatever the tag says
	}
	if h.opt.Images == nil {
		return "", errors.New("base images are not resolved here")
	}
	return h.images.get(ref, func() (string, error) { return h.opt.Images.ResolveImage(ctx, ref) })
}

func (h *Hasher) parse(data []byte) (*dockerfile.File, error) {
	return h.parsed.get(digestOf("dockerfile", string(data)), func() (*dockerfile.File, error) { return dockerfile.Parse(data) })
}

// readFirst reads the first of paths that exists; the error is the
// first path's, which the user named.
func (h *Hasher) readFirst(paths []string) ([]byte, error) {
	var first error
	for _, p := range paths {
		data, err := h.opt.ReadFile(p)
		if err == nil {
			return data, nil
		}
		if first == nil {
			first = err
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return nil, first
}
