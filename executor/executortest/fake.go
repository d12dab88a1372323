// Package executortest holds test doubles for package executor: a fake
// Solver and Publisher with deterministic digests, so the DAG walk can be
// tested without BuildKit, and the real-stack helper Stack.
package executortest

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// Digest is the fake digest of a node: sha256 of its ID, stable across
// runs so that goldens can hold it.
func Digest(id string) digest.Digest {
	return digest.NewDigestFromBytes(digest.SHA256, sha256Sum(id))
}

func sha256Sum(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

// ErrFake is the error of nodes named in Fake.Fail.
var ErrFake = errors.New("fake build error")

// ErrTransient is returned by nodes named in Fake.Transient, the given
// number of times, before they succeed. It is a 503 as BuildKit reports a
// failed push, so that executor.IsTransient retries it.
var ErrTransient = errors.New("failed to push localhost:5000/app: unexpected status from PUT request to http://localhost:5000/v2/app/manifests/sha256:0: 503 Service Unavailable")

// Fake is a Solver and a Publisher that records what runs. Its zero value
// succeeds at once for every node.
type Fake struct {
	// Fail names the nodes that fail with ErrFake.
	Fail map[string]bool
	// Transient maps a node to the number of ErrTransient failures before
	// it succeeds.
	Transient map[string]int
	// Delay is how long each node takes (0: no wait); a node blocks until
	// Delay has passed or its context is done.
	Delay time.Duration
	// Block names nodes that wait for their context to end (cancellation
	// tests); they report Started on the Started channel if not nil.
	Block   map[string]bool
	Started chan string
	// Progress lists the status updates each solve reports, from builder
	// "fake", before it hands its result over.
	Progress map[string][]*client.SolveStatus
	// Export holds a solve after it has evaluated and been released, as
	// an export would, until its channel is closed.
	Export map[string]chan struct{}
	// Nodes, when set, are the nodes solves run on (farm.go).
	Nodes *FakeNodes

	mu       sync.Mutex
	events   []string // "start ID", "end ID"
	running  int
	peak     int
	attempts map[string]int
	links    map[string][]string
}

var (
	_ executor.Solver    = (*Fake)(nil)
	_ executor.Publisher = (*Fake)(nil)
)

// Solve implements executor.Solver.
func (f *Fake) Solve(ctx context.Context, req *executor.SolveRequest) (*executor.Result, error) {
	n := req.Node
	var links []string
	for _, l := range req.Links {
		links = append(links, l.Descriptor.Digest.String())
	}
	f.mu.Lock()
	if f.links == nil {
		f.links = map[string][]string{}
	}
	f.links[n.ID] = links
	f.mu.Unlock()
	if err := f.Nodes.enter(ctx, req); err != nil {
		f.Nodes.leave(req)
		return nil, err
	}
	// The node's part ends with the build (as the scheduler's slot does,
	// at Ready); holding the result for dependents is not its work.
	leave := sync.OnceFunc(func() { f.Nodes.leave(req) })
	defer leave()
	res, err := f.run(ctx, n)
	if err == nil {
		err = f.Nodes.check(req)
	}
	if err != nil {
		return nil, err
	}
	res.Builder = req.Builder
	res.Descriptor.Platform = &n.Solve.Platform
	for _, st := range f.Progress[n.ID] {
		req.Progress("fake", st)
	}
	// Hand the result over early and hold it, like the real solver.
	req.Evaluated()
	leave()
	req.Ready(res)
	for _, ch := range []<-chan struct{}{req.Release, f.Export[n.ID]} {
		if ch == nil {
			continue
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	return res, nil
}

// Merge implements executor.Publisher.
func (f *Fake) Merge(ctx context.Context, n *plan.Node, parts []*executor.Result) (*executor.Result, error) {
	for i, p := range parts {
		if p == nil || p.Descriptor.Digest != Digest(n.Merge.Solves[i]) {
			return nil, fmt.Errorf("part %d of %s is not %s", i, n.ID, n.Merge.Solves[i])
		}
	}
	return f.run(ctx, n)
}

func (f *Fake) run(ctx context.Context, n *plan.Node) (*executor.Result, error) {
	f.mu.Lock()
	if f.attempts == nil {
		f.attempts = map[string]int{}
	}
	f.attempts[n.ID]++
	attempt := f.attempts[n.ID]
	f.events = append(f.events, "start "+n.ID)
	f.running++
	f.peak = max(f.peak, f.running)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.running--
		f.events = append(f.events, "end "+n.ID)
		f.mu.Unlock()
	}()

	if f.Started != nil {
		select {
		case f.Started <- n.ID:
		case <-ctx.Done():
		}
	}
	if f.Block[n.ID] {
		<-ctx.Done()
		return nil, context.Cause(ctx)
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
	}
	if attempt <= f.Transient[n.ID] {
		return nil, ErrTransient
	}
	if f.Fail[n.ID] {
		return nil, ErrFake
	}
	return &executor.Result{
		Descriptor: ocispec.Descriptor{MediaType: ocispec.MediaTypeImageManifest, Digest: Digest(n.ID), Size: 1},
		Published:  []string{"fake://" + n.ID},
	}, nil
}

// Events returns "start ID" and "end ID" entries in the order they
// happened.
func (f *Fake) Events() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.events)
}

// Peak is the largest number of nodes that ran at once.
func (f *Fake) Peak() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.peak
}

// Attempts is how many times a node ran.
func (f *Fake) Attempts(id string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.attempts[id]
}

// Links returns the digests a solve received from its links, in link order.
func (f *Fake) Links(id string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.links[id])
}
