package builder

import (
	"crypto/tls"
	"fmt"
	"maps"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
)

// Drivers, as buildx names them.
const (
	DriverRemote          = "remote"
	DriverDockerContainer = "docker-container"
	DriverKubernetes      = "kubernetes"
	DriverDocker          = "docker"
)

// DefaultBuildKitHost is where BuildKit listens when nothing names a
// builder.
const DefaultBuildKitHost = "unix:///run/buildkit/buildkitd.sock"

// Builder is a resolved builder: one or more BuildKit nodes.
type Builder struct {
	// Name is the builder's name in buildx's store, the docker context of
	// a docker-driver builder, AddressBuilder for a plain address, or the
	// file name of a --builders list.
	Name   string
	Driver string
	// Source says where the choice came from ("--builder", "BUILDX_BUILDER",
	// "the current buildx builder", "BUILDKIT_HOST", ...), for messages.
	Source string
	// File is the store file (or --builders file) it was read from.
	File  string
	Nodes []*Node
}

// Node is one BuildKit node of a builder and how to reach it.
type Node struct {
	// Builder is the name of the builder the node belongs to.
	Builder string
	Name    string
	// Driver is one of the Driver constants; "" is a plain BuildKit
	// address (as DriverRemote).
	Driver string
	// Endpoint is what the store says: a BuildKit address for remote
	// nodes, a docker context or engine address for docker and
	// docker-container nodes, for kubernetes ones what buildx create
	// writes (kubernetes:///BUILDER?deployment=NODE&kubeconfig=PATH) or a
	// docker context.
	Endpoint string
	// Platforms are the platforms declared for the node (buildx create
	// --platform, a builders file), formatted; empty when none were.
	Platforms []string
	// Capacity is the solves the node runs at once, when the
	// configuration says: a builders file's max_parallelism, or the
	// max-parallelism of the buildkitd.toml buildx keeps for the node
	// (buildx create --buildkitd-config). 0 when it does not.
	Capacity   int
	DriverOpts map[string]string
	// TLS is the client TLS of a tcp:// endpoint.
	TLS *TLS

	env     env
	source  string // where the builder was chosen, for messages
	workDir string // the key that keeps a kubernetes builder on one pod
	// classicStore: a docker driver node whose engine keeps images in the
	// classic image store (known once dialed; see TagsAnyPlatform).
	classicStore bool
	tls          *tls.Config
}

// TLS is the client side of a tcp:// endpoint with TLS. Paths are
// absolute once resolved.
type TLS struct {
	CA, Cert, Key, ServerName string
}

func (t *TLS) empty() bool { return t == nil || *t == TLS{} }

// ContainerName is the docker container of a docker-container node.
func ContainerName(node string) string { return "buildx_buildkit_" + node }

// Describe says how the node is reached, for messages and tables.
func (n *Node) Describe() string {
	switch n.Driver {
	case DriverDockerContainer:
		return fmt.Sprintf("container %s on docker %s", ContainerName(n.Name), n.dockerName())
	case DriverDocker:
		return "the BuildKit of docker " + n.dockerName()
	case DriverKubernetes:
		ns := n.DriverOpts["namespace"]
		if ns == "" {
			ns = "kubectl's current namespace"
		} else {
			ns = "namespace " + ns
		}
		return fmt.Sprintf("kubernetes pods app=%s in %s", deploymentName(n.Name), ns)
	}
	return n.Endpoint
}

// dockerName names the docker engine of a node: its context, or address.
func (n *Node) dockerName() string {
	if n.Endpoint == "" {
		return "context default"
	}
	if strings.Contains(n.Endpoint, "://") {
		return n.Endpoint
	}
	return "context " + n.Endpoint
}

// driverOpts are the driver options xbake reads, per driver; buildx
// accepts more (image, memory, replicas...), which only matter when
// buildx creates the builder and are ignored here.
var driverOpts = map[string][]string{
	DriverRemote:     {"cacert", "cert", "key", "servername", "default-load"},
	DriverKubernetes: {"namespace", "loadbalance"},
}

// checkDriverOpts rejects what buildx would reject for the options xbake
// reads: relative TLS paths, unknown options of the remote driver, a bad
// loadbalance.
func (n *Node) checkDriverOpts() error {
	switch n.Driver {
	case DriverRemote:
		for _, k := range slices.Sorted(maps.Keys(n.DriverOpts)) {
			v := n.DriverOpts[k]
			if !slices.Contains(driverOpts[DriverRemote], k) {
				return fmt.Errorf("the remote driver has no option %q (it has %s)", k, strings.Join(driverOpts[DriverRemote], ", "))
			}
			if (k == "cacert" || k == "cert" || k == "key") && !filepath.IsAbs(v) {
				return fmt.Errorf("%s=%s: the path must be absolute", k, v)
			}
		}
		t := &TLS{CA: n.DriverOpts["cacert"], Cert: n.DriverOpts["cert"], Key: n.DriverOpts["key"], ServerName: n.DriverOpts["servername"]}
		if !t.empty() {
			n.TLS = t
		}
	case DriverKubernetes:
		switch lb := n.DriverOpts["loadbalance"]; lb {
		case "", "sticky", "random":
		default:
			return fmt.Errorf("loadbalance=%s: use sticky or random", lb)
		}
		if ns := n.DriverOpts["namespace"]; ns != "" && !kubeName.MatchString(ns) {
			return fmt.Errorf("namespace=%s is not a Kubernetes name", ns)
		}
	}
	return nil
}

// checkAddress accepts the BuildKit address forms: unix, tcp, npipe and
// the registered connection helpers.
func checkAddress(addr string) error {
	if !strings.Contains(addr, "://") {
		return fmt.Errorf("%q is not an address: it needs a scheme, as in tcp://HOST:PORT or unix:///PATH", addr)
	}
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("%q is not an address: %v", addr, err)
	}
	switch u.Scheme {
	case "unix", "npipe":
		if u.Path == "" && u.Host == "" {
			return fmt.Errorf("%q names no socket", addr)
		}
	case "tcp":
		if u.Port() == "" {
			return fmt.Errorf("%q has no port (tcp://HOST:PORT)", addr)
		}
	case "docker-container", "podman-container", "nerdctl-container", "kube-pod", "ssh":
		if u.Host == "" {
			return fmt.Errorf("%q names no container, pod or host", addr)
		}
	default:
		return fmt.Errorf("%q: unknown scheme %q (use unix://, tcp://, docker-container://, podman-container://, nerdctl-container://, kube-pod:// or ssh://)", addr, u.Scheme)
	}
	return nil
}

// TagsAnyPlatform reports whether the node, once dialed, is the BuildKit
// of a docker engine on the classic image store: it takes a base image
// named by tag from the engine's own images, whatever platform that
// image is for (docker 20.10 ran a linux/arm64 build on an arm/v7
// busybox it had), so a foreign platform may get the wrong base.
func (n *Node) TagsAnyPlatform() bool { return n.Driver == DriverDocker && n.classicStore }
