package builder

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/cli/cli/connhelper/commandconn"
	"github.com/moby/buildkit/client"
	mobyclient "github.com/moby/moby/client"
	"google.golang.org/grpc"
	grpckeepalive "google.golang.org/grpc/keepalive"

	// Every BuildKit address form works with --builder and BUILDKIT_HOST.
	_ "github.com/moby/buildkit/client/connhelper/dockercontainer"
	_ "github.com/moby/buildkit/client/connhelper/kubepod"
	_ "github.com/moby/buildkit/client/connhelper/nerdctlcontainer"
	_ "github.com/moby/buildkit/client/connhelper/podmancontainer"
	_ "github.com/moby/buildkit/client/connhelper/ssh"
)

// Dial returns a BuildKit client for the node. Connecting is lazy for most
// drivers: the first call (ListWorkers) says whether the node answers, and
// Unreachable turns its error into one that says what to do. Dial itself
// fails with a *NodeError when the driver can tell already (no container,
// no running pod, no engine), and with a *ConfigError for configuration
// that cannot work.
func (n *Node) Dial(ctx context.Context) (*client.Client, error) {
	switch n.Driver {
	case DriverDocker:
		return n.dialDocker(ctx)
	case DriverDockerContainer:
		return n.dialContainer(ctx)
	case DriverKubernetes:
		return n.dialKube(ctx)
	}
	return n.dialAddress(ctx, n.Endpoint)
}

func (n *Node) dialAddress(ctx context.Context, addr string) (*client.Client, error) {
	var opts []client.ClientOpt
	if n.tls != nil {
		hostport := strings.TrimPrefix(addr, "tcp://")
		opts = append(opts,
			client.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
				return n.dialTLS(ctx, hostport)
			}),
			// The dialer does TLS itself, so gRPC cannot derive the
			// :authority that proxies route on; it is the server name.
			client.WithGRPCDialOption(grpc.WithAuthority(n.tls.ServerName)))
	}
	c, err := client.New(ctx, addr, append(opts, keepalive())...)
	if err != nil {
		return nil, n.Unreachable(err)
	}
	return c, nil
}

// dialDocker reaches the engine's built-in BuildKit as buildx's docker
// driver does: gRPC and sessions through the engine's /grpc and /session
// endpoints, upgraded (hijacked) HTTP connections of the docker API.
func (n *Node) dialDocker(ctx context.Context) (*client.Client, error) {
	eng, api, err := n.engine(ctx)
	if err != nil {
		return nil, err
	}
	c, err := client.New(ctx, "", keepalive(),
		client.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return api.DialHijack(ctx, "/grpc", "h2c", nil)
		}),
		client.WithSessionDialer(func(ctx context.Context, proto string, meta map[string][]string) (net.Conn, error) {
			return api.DialHijack(ctx, "/session", proto, meta)
		}))
	if err != nil {
		api.Close()
		return nil, &NodeError{Node: n, Err: err, Remedy: "The " + eng.String() + " answers, but its BuildKit does not (docker 18.09 or later has one)."}
	}
	n.classicStore = !multiPlatformStore(ctx, api)
	return c, nil
}

// engine resolves and pings the node's docker engine.
func (n *Node) engine(ctx context.Context) (*DockerEngine, *mobyclient.Client, error) {
	eng, err := n.env.resolveDocker(n.Endpoint)
	if err != nil {
		return nil, nil, err
	}
	api, err := eng.Client()
	if err != nil {
		return nil, nil, err
	}
	if _, err := api.Ping(ctx, mobyclient.PingOptions{NegotiateAPIVersion: true}); err != nil {
		api.Close()
		return nil, nil, &NodeError{Node: n, Err: errors.New(eng.failure(err)), Remedy: eng.remedy()}
	}
	return eng, api, nil
}

// dialContainer reaches a docker-container node through BuildKit's
// docker-container connection helper: `docker --context=CTX exec -i
// buildx_buildkit_NODE buildctl dial-stdio`. The container is checked
// first, to say whether it is missing or stopped.
func (n *Node) dialContainer(ctx context.Context) (*client.Client, error) {
	name := ContainerName(n.Name)
	eng, api, err := n.engine(ctx)
	if err != nil {
		return nil, err
	}
	res, err := api.ContainerInspect(ctx, name, mobyclient.ContainerInspectOptions{})
	api.Close()
	switch {
	case cerrdefs.IsNotFound(err):
		return nil, &NodeError{Node: n, Err: fmt.Errorf("the %s has no container %s", eng, name),
			Remedy: fmt.Sprintf("Create it with `docker buildx inspect --bootstrap %s` (or `docker buildx create`), on the same docker context.", n.Builder)}
	case err != nil:
		return nil, &NodeError{Node: n, Err: err, Remedy: "Check the docker engine: `" + eng.cli("ps") + "`."}
	case res.Container.State == nil || !res.Container.State.Running:
		return nil, &NodeError{Node: n, Err: fmt.Errorf("container %s is not running", name),
			Remedy: fmt.Sprintf("Start it: `%s` (or `docker buildx inspect --bootstrap %s`).", eng.cli("start "+name), n.Builder)}
	}
	if _, err := exec.LookPath("docker"); err != nil {
		return nil, &NodeError{Node: n, Err: errors.New("the docker CLI is not on PATH"),
			Remedy: "A docker-container node is reached through `docker exec`: install the docker CLI."}
	}
	if strings.Contains(eng.Context, "://") {
		// buildx stored the engine's address, not a context: the same
		// command as the helper's, with --host.
		host := eng.Host
		return n.clientOrUnreachable(client.New(ctx, "", keepalive(), client.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) {
			return commandconn.New(ctx, "docker", "--host", host, "exec", "-i", name, "buildctl", "dial-stdio")
		})))
	}
	q := url.Values{"context": {eng.Context}}
	return n.clientOrUnreachable(client.New(ctx, "docker-container://"+name+"?"+q.Encode(), keepalive()))
}

// Keepalive is how long a connection to a node may be silent while a
// call is open before the client pings the node, and how long it then
// waits for the answer before it closes the connection, failing the
// node's open calls, so that a node that stopped answering (a hung or
// unreachable machine) does not hold a build forever. grpc-go pings no
// more often than every 10 s. buildkitd keeps gRPC's default policy,
// which closes a connection that pings more often than every 5 minutes
// without sending anything in between; the executor's health checks
// (every few seconds, see executor/health.go) make the node answer in
// between, so that its pings are never counted against it.
var Keepalive = struct{ Time, Timeout time.Duration }{Time: 10 * time.Second, Timeout: 10 * time.Second}

func keepalive() client.ClientOpt {
	return client.WithGRPCDialOption(grpc.WithKeepaliveParams(grpckeepalive.ClientParameters{
		Time: Keepalive.Time, Timeout: Keepalive.Timeout,
	}))
}

func (n *Node) clientOrUnreachable(c *client.Client, err error) (*client.Client, error) {
	if err != nil {
		return nil, n.Unreachable(err)
	}
	return c, nil
}

// Unreachable words an error of dialing or of a first call to the node
// with the node, its endpoint and the driver's remedy.
func (n *Node) Unreachable(err error) error {
	var ne *NodeError
	if errors.As(err, &ne) || IsConfigError(err) {
		return err
	}
	return &NodeError{Node: n, Err: err, Remedy: n.remedy()}
}

func (n *Node) remedy() string {
	switch n.Driver {
	case DriverDockerContainer:
		return fmt.Sprintf("Check that container %s runs and has buildctl: `%s`.", ContainerName(n.Name), n.dockerCLI("logs "+ContainerName(n.Name)))
	case DriverDocker:
		return "Check that the engine's BuildKit is enabled (docker 18.09 or later; `docker buildx inspect " + n.Builder + "`)."
	case DriverKubernetes:
		return fmt.Sprintf("Check the pods: `kubectl get pods --selector app=%s`; `docker buildx inspect --bootstrap %s` creates them.", deploymentName(n.Name), n.Builder)
	}
	u, _ := url.Parse(n.Endpoint)
	scheme := ""
	if u != nil {
		scheme = u.Scheme
	}
	switch scheme {
	case "unix":
		if _, err := os.Stat(u.Path); err != nil {
			return fmt.Sprintf("%s does not exist: start buildkitd there, or choose another builder (--builder NAME, BUILDX_BUILDER, `docker buildx use`, BUILDKIT_HOST).", u.Path)
		}
		return "Check that buildkitd runs and that you may open its socket (root, or the buildkit group)."
	case "tcp":
		if n.tls != nil {
			return "Check that buildkitd listens there with TLS, and that the CA, the client certificate and the server name match its certificates."
		}
		return "Check that buildkitd listens there (buildkitd --addr tcp://…); a daemon that requires TLS needs --tlscacert, --tlscert and --tlskey (or the remote driver's cacert, cert and key options)."
	case "ssh":
		return "The ssh helper runs `ssh HOST buildctl dial-stdio`: check that ssh reaches the host without a prompt and that buildctl is on its PATH."
	case "kube-pod":
		return "The kube-pod helper runs `kubectl exec POD -- buildctl dial-stdio`: check kubectl's context and that the pod runs."
	case "docker-container", "podman-container", "nerdctl-container":
		return "The helper runs `" + strings.TrimSuffix(scheme, "-container") + " exec CONTAINER buildctl dial-stdio`: check that the container runs."
	}
	return ""
}

// dockerCLI is a docker command on the engine of a docker-container
// node, for messages: its stored context, or engine address (which
// `docker --context` does not take); none, the current context.
func (n *Node) dockerCLI(args string) string {
	switch {
	case n.Endpoint == "":
		return "docker " + args
	case strings.Contains(n.Endpoint, "://"):
		return "docker --host " + n.Endpoint + " " + args
	}
	return "docker --context " + n.Endpoint + " " + args
}
