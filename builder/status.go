package builder

import (
	"context"
	"net"
	"net/url"
	"slices"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/grpcerrors"
	mobyclient "github.com/moby/moby/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"google.golang.org/grpc/codes"
)

// Workers asks a connected node for its workers' platforms, deduplicated
// in the order the workers report them.
func Workers(ctx context.Context, c *client.Client) ([]ocispec.Platform, error) {
	ws, err := c.ListWorkers(ctx)
	if err != nil {
		return nil, err
	}
	var out []ocispec.Platform
	for _, w := range ws {
		for _, p := range w.Platforms {
			p = platforms.Normalize(p)
			if !slices.ContainsFunc(out, func(q ocispec.Platform) bool { return platforms.Format(q) == platforms.Format(p) }) {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Native splits a node's platforms: the declared ones when there are
// any, else those of the first reported platform's OS and architecture
// (BuildKit lists the host's first); the rest of reported is emulated.
func Native(declared []string, reported []ocispec.Platform) []ocispec.Platform {
	var out []ocispec.Platform
	if len(declared) > 0 {
		for _, s := range declared {
			if p, err := platforms.Parse(s); err == nil {
				out = append(out, platforms.Normalize(p))
			}
		}
		return out
	}
	if len(reported) == 0 {
		return nil
	}
	first := reported[0]
	for _, p := range reported {
		if p.OS == first.OS && p.Architecture == first.Architecture {
			out = append(out, p)
		}
	}
	return out
}

// NodeStatus is what `builder ls`, `builder inspect` and `doctor` show of
// a node.
type NodeStatus struct {
	Node *Node
	// Err is set when the node does not answer; the rest is then empty.
	Err      error
	Version  string
	Reported []ocispec.Platform
	Native   []ocispec.Platform
}

// Status dials the node and asks for its workers and version.
func (n *Node) Status(ctx context.Context) *NodeStatus {
	st := &NodeStatus{Node: n}
	c, err := n.Dial(ctx)
	if err != nil {
		st.Err = err
		return st
	}
	defer c.Close()
	if st.Reported, err = Workers(ctx, c); err != nil {
		st.Err = n.Unreachable(err)
		return st
	}
	st.Native = Native(n.Platforms, st.Reported)
	st.Version = n.version(ctx, c)
	return st
}

// version is BuildKit's version; BuildKit before 0.11 (the built-in one of
// docker 20.10) cannot tell it, and then the engine's version is given.
func (n *Node) version(ctx context.Context, c *client.Client) string {
	info, err := c.Info(ctx)
	if err == nil {
		return info.BuildkitVersion.Version
	}
	if grpcerrors.Code(err) != codes.Unimplemented {
		return ""
	}
	if n.Driver == DriverDocker {
		if eng, err := n.env.resolveDocker(n.Endpoint); err == nil {
			if api, err := eng.Client(); err == nil {
				defer api.Close()
				if v, err := api.ServerVersion(ctx, mobyclient.ServerVersionOptions{}); err == nil {
					return "built into docker " + v.Version
				}
			}
		}
	}
	return "before 0.11"
}

// Local reports whether the node runs on this machine, so that this
// machine's QEMU handlers are the ones its emulation uses: a unix socket,
// a loopback address, a docker engine reached through a unix socket, or a
// container address (docker-container://…, taken to be on the local
// engine).
func (n *Node) Local() bool {
	addr := n.Endpoint
	switch n.Driver {
	case DriverKubernetes:
		return false
	case DriverDocker, DriverDockerContainer:
		eng, err := n.env.resolveDocker(n.Endpoint)
		if err != nil {
			return false
		}
		addr = eng.Host
	}
	u, err := url.Parse(addr)
	if err != nil {
		return false
	}
	switch u.Scheme {
	case "unix", "npipe", "docker-container", "podman-container", "nerdctl-container":
		return true
	case "tcp":
		h := u.Hostname()
		if h == "localhost" {
			return true
		}
		ip := net.ParseIP(h)
		return ip != nil && ip.IsLoopback()
	}
	return false
}
