package executor

import (
	"context"
	"errors"
	"slices"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

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
	// given, else the host platform of Reported. Supported adds the
	// emulated ones.
	Native    []ocispec.Platform
	Supported []ocispec.Platform
	// Config is how the node was reached; Config.Dial connects again.
	Config *builder.Node
}

// Builders are the connected nodes of a run, in the order given.
type Builders struct {
	Nodes []*Builder
}

// Connect dials every node at once and asks each for its workers'
// platforms. An unreachable node fails the whole (a *builder.NodeError,
// with the node, its endpoint and the remedy; a *builder.ConfigError for
// configuration that cannot work); the first error in node order is
// returned.
func Connect(ctx context.Context, cfgs []BuilderConfig) (*Builders, error) {
	bs := &Builders{Nodes: make([]*Builder, len(cfgs))}
	errs := make([]error, len(cfgs))
	var wg sync.WaitGroup
	for i := range cfgs {
		wg.Go(func() { bs.Nodes[i], errs[i] = connect(ctx, &cfgs[i]) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			bs.Close()
			return nil, err
		}
	}
	return bs, nil
}

func connect(ctx context.Context, n *builder.Node) (*Builder, error) {
	cl, err := n.Dial(ctx)
	if err != nil {
		return nil, err
	}
	b := &Builder{Name: n.Name, Endpoint: n.Endpoint, Driver: n.Driver, Client: cl, Config: n}
	if b.Reported, err = builder.Workers(ctx, cl); err != nil {
		cl.Close()
		return nil, n.Unreachable(err)
	}
	b.Native = builder.Native(n.Platforms, b.Reported)
	if len(n.Platforms) > 0 {
		b.Declared = b.Native
	}
	b.Supported = append(slices.Clone(b.Reported), b.Native...)
	return b, nil
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
