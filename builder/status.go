package builder

import (
	"context"
	"net"
	"net/url"
	"path/filepath"
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
// any, else the reported platforms that the node's CPU runs itself (see
// native). A node's own QEMU cannot be seen from here unless it is this
// machine: for a remote node, 32-bit arm on an arm64 host counts as
// emulated (many arm64 CPUs cannot run it), so declare it when it is not.
func Native(declared []string, reported []ocispec.Platform) []ocispec.Platform {
	return native(declared, reported, func(string) bool { return true })
}

// Native is the node's native platforms (the package function), where
// for a node on this machine the kernel's binfmt_misc handlers say which
// foreign architectures go through QEMU: one the workers list without a
// handler runs on the CPU itself (arm/v7 on an arm64 host that has
// AArch32).
func (n *Node) Native(reported []ocispec.Platform) []ocispec.Platform {
	return native(n.Platforms, reported, n.emulated())
}

// emulated tells whether an architecture the host CPU could run itself
// goes through QEMU: known only for a node on this machine.
func (n *Node) emulated() func(arch string) bool {
	if n.Local() {
		return func(arch string) bool { return qemuEnabled(binfmtDir, arch) }
	}
	return func(string) bool { return true }
}

// shownNative is what ls, inspect and doctor show as native: the
// platforms the node's CPU runs itself, then those declared for it. Native
// alone would show the CPU's own variants (linux/amd64/v2, linux/386) of
// a node declared for linux/amd64 as emulated.
func (n *Node) shownNative(reported []ocispec.Platform) []ocispec.Platform {
	out := native(nil, reported, n.emulated())
	for _, p := range native(n.Platforms, reported, nil) {
		if !slices.ContainsFunc(out, func(q ocispec.Platform) bool { return platforms.Format(q) == platforms.Format(p) }) {
			out = append(out, p)
		}
	}
	return out
}

// binfmtDir is BinfmtDir; tests point it at a copy.
var binfmtDir = BinfmtDir

// native is Native with a way to tell whether an architecture the host
// CPU could run itself goes through an emulator. BuildKit lists the
// host's platform first (archutil.SupportedPlatforms), then every other
// one that a test binary ran on, natively or through QEMU alike: the
// host's architecture (all its variants) is native, and so is a
// compatible older one, 386 on amd64 (x86-64 CPUs run it), 32-bit arm
// on arm64 unless emulated says that QEMU serves it.
func native(declared []string, reported []ocispec.Platform, emulated func(arch string) bool) []ocispec.Platform {
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
		switch {
		case p.OS != first.OS:
		case p.Architecture == first.Architecture:
			out = append(out, p)
		case first.Architecture == "amd64" && p.Architecture == "386",
			first.Architecture == "arm64" && p.Architecture == "arm" && !emulated("arm"):
			out = append(out, p)
		}
	}
	return out
}

// qemuEnabled reports whether dir has an enabled QEMU handler for arch.
func qemuEnabled(dir, arch string) bool {
	name := qemuNames[arch]
	if name == "" {
		return false
	}
	h := QEMUHandler{Name: name}
	h.read(filepath.Join(dir, name))
	return h.Registered && h.Enabled
}

// NodeStatus is what `builder ls`, `builder inspect` and `doctor` show of
// a node.
type NodeStatus struct {
	Node *Node
	// Err is set when the node does not answer; the rest is then empty.
	Err      error
	Version  string
	Reported []ocispec.Platform
	// Native are the reported platforms the node runs itself, and the
	// declared ones (shownNative).
	Native []ocispec.Platform
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
	st.Native = n.shownNative(st.Reported)
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
