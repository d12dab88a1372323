package executor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// DefaultBuildKitHost is where BuildKit listens when nothing says
// otherwise (BUILDKIT_HOST, --builder, --builders).
const DefaultBuildKitHost = "unix:///run/buildkit/buildkitd.sock"

// BuilderConfig is one BuildKit node, as a builders file lists it:
//
//	[
//	  {"name": "amd", "endpoint": "unix:///run/buildkit/buildkitd.sock"},
//	  {"name": "arm", "endpoint": "tcp://127.0.0.1:1234", "platforms": ["linux/arm64"],
//	   "tls": {"ca": "ca.pem", "cert": "cert.pem", "key": "key.pem", "server_name": "arm"}}
//	]
//
// Platforms are the ones the node runs natively; when absent they come
// from the node's workers (ListWorkers), of which the first architecture
// is taken as native and the others as emulated.
type BuilderConfig struct {
	Name      string     `json:"name"`
	Endpoint  string     `json:"endpoint"`
	Platforms []string   `json:"platforms,omitempty"`
	TLS       *TLSConfig `json:"tls,omitempty"`
}

// TLSConfig is a tcp:// endpoint's client TLS. Relative paths are relative
// to the builders file.
type TLSConfig struct {
	CA         string `json:"ca,omitempty"`
	Cert       string `json:"cert,omitempty"`
	Key        string `json:"key,omitempty"`
	ServerName string `json:"server_name,omitempty"`
}

// LoadBuilders reads a builders file (JSON, see BuilderConfig).
func LoadBuilders(path string) ([]BuilderConfig, error) {
	dt, err := readFileMax(path, 1<<20, "a builders file")
	if err != nil {
		return nil, err
	}
	var cfgs []BuilderConfig
	dec := json.NewDecoder(strings.NewReader(string(dt)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cfgs); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(cfgs) == 0 {
		return nil, fmt.Errorf("%s: no builders", path)
	}
	dir := filepath.Dir(path)
	seen := map[string]bool{}
	for i := range cfgs {
		c := &cfgs[i]
		if c.Name == "" {
			c.Name = fmt.Sprintf("node%d", i)
		}
		if seen[c.Name] {
			return nil, fmt.Errorf("%s: builder %q is listed twice", path, c.Name)
		}
		seen[c.Name] = true
		if c.Endpoint == "" {
			return nil, fmt.Errorf("%s: builder %q has no endpoint", path, c.Name)
		}
		for _, p := range c.Platforms {
			if _, err := platforms.Parse(p); err != nil {
				return nil, fmt.Errorf("%s: builder %q: %w", path, c.Name, err)
			}
		}
		if t := c.TLS; t != nil {
			t.CA, t.Cert, t.Key = joinDir(dir, t.CA), joinDir(dir, t.Cert), joinDir(dir, t.Key)
		}
	}
	return cfgs, nil
}

// Builder is one connected BuildKit node.
type Builder struct {
	Name     string
	Endpoint string
	Client   *client.Client
	// Native are the platforms it runs without emulation; Supported adds
	// the ones its workers emulate.
	Native    []ocispec.Platform
	Supported []ocispec.Platform
}

// Builders are the connected nodes of a run, in the order given.
type Builders struct {
	Nodes []*Builder
}

// Connect dials every builder and asks each for its workers' platforms.
func Connect(ctx context.Context, cfgs []BuilderConfig) (*Builders, error) {
	bs := &Builders{}
	for _, c := range cfgs {
		var opts []client.ClientOpt
		if t := c.TLS; t != nil {
			if t.CA != "" || t.ServerName != "" {
				opts = append(opts, client.WithServerConfig(t.ServerName, t.CA))
			}
			if t.Cert != "" {
				opts = append(opts, client.WithCredentials(t.Cert, t.Key))
			}
		}
		cl, err := client.New(ctx, c.Endpoint, opts...)
		if err != nil {
			bs.Close()
			return nil, fmt.Errorf("builder %s (%s): %w", c.Name, c.Endpoint, err)
		}
		b := &Builder{Name: c.Name, Endpoint: c.Endpoint, Client: cl}
		bs.Nodes = append(bs.Nodes, b)
		ws, err := cl.ListWorkers(ctx)
		if err != nil {
			bs.Close()
			return nil, fmt.Errorf("builder %s (%s) does not answer: %w", c.Name, c.Endpoint, err)
		}
		for _, w := range ws {
			b.Supported = append(b.Supported, w.Platforms...)
		}
		if len(c.Platforms) > 0 {
			for _, p := range c.Platforms {
				b.Native = append(b.Native, platforms.Normalize(platforms.MustParse(p)))
			}
		} else if len(b.Supported) > 0 {
			first := platforms.Normalize(b.Supported[0])
			for _, p := range b.Supported {
				if p.OS == first.OS && p.Architecture == first.Architecture {
					b.Native = append(b.Native, platforms.Normalize(p))
				}
			}
		}
		b.Supported = append(b.Supported, b.Native...)
	}
	return bs, nil
}

// Close closes every connection.
func (bs *Builders) Close() error {
	var errs []error
	for _, b := range bs.Nodes {
		if b.Client != nil {
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

// joinDir resolves a path of the builders file against its directory.
func joinDir(dir, p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(dir, p)
}
