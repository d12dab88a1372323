package executor

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/xbake/xbake/builder"
)

// BuilderConfig is one BuildKit node to connect to: how package builder
// resolved it (a buildx builder's node, an address, a builders file
// entry), or a test's {Name, Endpoint, Platforms}.
type BuilderConfig = builder.Node

// Builder is one connected BuildKit node, with what placement needs.
type Builder struct {
	Name     string
	Endpoint string
	// Driver is the buildx driver of the node ("" for a plain address).
	Driver string
	Client *client.Client
	// Declared are the platforms the configuration gives the node (buildx
	// create --platform, a builders file); Reported are those of its
	// workers (ListWorkers).
	Declared []ocispec.Platform
	Reported []ocispec.Platform
	// Native are the platforms it runs without emulation: Declared when
	// given, else the host platform of Reported.
	Native []ocispec.Platform
	// Capacity is how many solves the node runs at once: declared
	// (Config.Capacity), else DefaultCapacity.
	Capacity int
	// Config is how the node was reached; Config.Dial connects again.
	Config *builder.Node
}

// Builders are the connected nodes of a run, in the order given, and
// those that did not answer.
type Builders struct {
	Nodes []*Builder
	Down  []*DownNode
}

// DownNode is a node that did not answer when the run started.
type DownNode struct {
	Config *builder.Node
	Err    error // a *builder.NodeError: the failure and the remedy
}

// Connect dials every node at once and asks each for its workers'
// platforms. A node that does not answer within DefaultNodeTimeout is
// listed in Down (CheckDown says whether the run can do without it); the
// error is the first in node order when no node answers (a
// *builder.NodeError, with the node, its endpoint and the remedy), or
// when a node's configuration cannot work (a *builder.ConfigError).
func Connect(ctx context.Context, cfgs []BuilderConfig) (*Builders, error) {
	return ConnectWithin(ctx, cfgs, DefaultNodeTimeout)
}

// ConnectWithin is Connect with the time a node has to answer.
func ConnectWithin(ctx context.Context, cfgs []BuilderConfig, timeout time.Duration) (*Builders, error) {
	type answer struct {
		b   *Builder
		err error
	}
	answers := make([]chan answer, len(cfgs))
	for i := range cfgs {
		answers[i] = make(chan answer, 1)
		go func() {
			b, err := connect(ctx, &cfgs[i], time.Now().Add(timeout))
			answers[i] <- answer{b, err}
		}()
	}
	// A node that never answers (a stopped machine) is left behind: its
	// connection is closed whenever it ends.
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	nodes := make([]*Builder, len(cfgs))
	errs := make([]error, len(cfgs))
	expired := false
	for i := range cfgs {
		if !expired {
			select {
			case a := <-answers[i]:
				nodes[i], errs[i] = a.b, a.err
				continue
			case <-deadline.C:
				expired = true
			case <-ctx.Done():
				errs[i] = context.Cause(ctx)
				continue
			}
		}
		select {
		case a := <-answers[i]:
			nodes[i], errs[i] = a.b, a.err
		default:
			errs[i] = cfgs[i].Unreachable(fmt.Errorf("it did not answer within %s", timeout))
			go func() {
				if a := <-answers[i]; a.b != nil {
					a.b.Client.Close()
				}
			}()
		}
	}
	bs := &Builders{}
	var first error
	for i, err := range errs {
		if err != nil && (builder.IsConfigError(err) || ctx.Err() != nil) {
			first = err
			break
		}
		if err != nil {
			first = cmp.Or(first, err)
			bs.Down = append(bs.Down, &DownNode{Config: &cfgs[i], Err: err})
			continue
		}
		bs.Nodes = append(bs.Nodes, nodes[i])
	}
	if first != nil && (len(bs.Nodes) == 0 || builder.IsConfigError(first) || ctx.Err() != nil) {
		for _, b := range nodes {
			if b != nil {
				b.Client.Close()
			}
		}
		return nil, first
	}
	return bs, nil
}

// connect dials node n and asks for its workers until deadline, when
// ConnectWithin stops waiting for it.
func connect(ctx context.Context, n *builder.Node, deadline time.Time) (*Builder, error) {
	cl, err := n.Dial(ctx)
	if err != nil {
		return nil, err
	}
	b := &Builder{Name: n.Name, Endpoint: n.Endpoint, Driver: n.Driver, Client: cl, Config: n}
	for {
		b.Reported, err = builder.Workers(ctx, cl)
		// A node whose socket accepts but that sends nothing (a stopped
		// buildkitd) fails the call when gRPC gives up, after its own 20 s
		// (the handshake, or the keepalive ping of a connection made just
		// before it stopped); the node has until the deadline, as one that
		// answers nothing at all (a refused connection fails at once).
		if err == nil || !silent(err) || time.Now().After(deadline) {
			break
		}
		select { // gRPC fails calls at once while it waits to dial again
		case <-ctx.Done():
			return nil, errors.Join(context.Cause(ctx), cl.Close())
		case <-time.After(time.Second):
		}
	}
	if err != nil {
		cl.Close()
		return nil, n.Unreachable(err)
	}
	b.Native = n.Native(b.Reported)
	if len(n.Platforms) > 0 {
		b.Declared = b.Native
	}
	b.Capacity = cmp.Or(n.Capacity, DefaultCapacity)
	return b, nil
}

// silent reports whether err is gRPC giving up on a connection that was
// made but not answered: the server never sent its preface, or stopped
// answering keepalive pings.
func silent(err error) bool {
	st, ok := status.FromError(unwrapGRPC(err))
	return ok && st.Code() == codes.Unavailable &&
		(strings.Contains(st.Message(), "error reading server preface") || strings.Contains(st.Message(), "keepalive ping failed to receive ACK"))
}

// Close closes every connection.
func (bs *Builders) Close() error {
	var errs []error
	for _, b := range bs.Nodes {
		if b != nil && b.Client != nil {
			errs = append(errs, b.Client.Close())
		}
	}
	return errors.Join(errs...)
}

// NativePlatforms are the platforms some node runs natively, formatted,
// without duplicates, in node order: plan.Request.BuilderPlatforms.
func (bs *Builders) NativePlatforms() []string {
	var out []string
	for _, b := range bs.Nodes {
		for _, p := range b.Native {
			s := platforms.Format(p)
			if !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
	}
	return out
}

// DefaultPlatform is the first node's native platform without a CPU
// level ("linux/amd64", not "linux/amd64/v2"): plan.Request.DefaultPlatform.
func (bs *Builders) DefaultPlatform() string {
	for _, b := range bs.Nodes {
		if len(b.Native) == 0 {
			continue
		}
		p := b.Native[0]
		if p.Architecture == "amd64" {
			p.Variant = ""
		}
		return platforms.Format(p)
	}
	return platforms.Format(platforms.Normalize(platforms.DefaultSpec()))
}
