package builder

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/cli/cli/config"
	dcontext "github.com/docker/cli/cli/context"
	"github.com/docker/cli/cli/context/docker"
	"github.com/docker/cli/cli/context/store"
	"github.com/moby/moby/client"
)

// defaultDockerHost is the engine of the docker CLI's default context when
// DOCKER_HOST is unset.
const defaultDockerHost = "unix:///var/run/docker.sock"

// DockerEngine is a Docker engine found the way the docker CLI finds it:
// a context of its context store, or the default context (DOCKER_HOST,
// DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, else the default socket).
type DockerEngine struct {
	// Context names the docker context ("default" for the default one).
	Context string
	// Host is the engine's address (unix://, tcp://, ssh://, npipe://).
	Host string
	// Source says how it was chosen, for messages ("DOCKER_HOST", ...).
	Source string
	// named: the caller named the context or address (a builder node's
	// endpoint); otherwise the docker CLI's rules chose it.
	named bool

	ep docker.Endpoint
}

// env is the environment of a resolution: the process's, or a test's.
type env struct {
	getenv func(string) string
}

func (e env) get(k string) string {
	if e.getenv == nil {
		return os.Getenv(k)
	}
	return e.getenv(k)
}

// dockerConfigDir is the docker CLI's configuration folder: $DOCKER_CONFIG,
// else ~/.docker.
func (e env) dockerConfigDir() string {
	if d := e.get("DOCKER_CONFIG"); d != "" {
		return d
	}
	home := e.get("HOME")
	if home == "" {
		home, _ = os.UserHomeDir()
	}
	return filepath.Join(home, ".docker")
}

// contextStore is the docker CLI's context store, read-only here.
func (e env) contextStore() *store.ContextStore {
	cfg := store.NewConfig(func() any { return &map[string]any{} },
		store.EndpointTypeGetter(docker.DockerEndpoint, func() any { return &docker.EndpointMeta{} }))
	return store.New(filepath.Join(e.dockerConfigDir(), "contexts"), cfg)
}

// currentDockerContext is the context the docker CLI uses when none is
// named: DOCKER_HOST means the default one, then DOCKER_CONTEXT, then
// config.json's currentContext, then the default one. source says which.
func (e env) currentDockerContext() (name, source string, err error) {
	if e.get("DOCKER_HOST") != "" {
		return "default", "DOCKER_HOST", nil
	}
	if c := e.get("DOCKER_CONTEXT"); c != "" {
		return c, "DOCKER_CONTEXT", nil
	}
	dir := e.dockerConfigDir()
	cf, err := config.Load(dir)
	if err != nil {
		return "", "", configErrorf("%s: %v", filepath.Join(dir, config.ConfigFileName), err)
	}
	if cf.CurrentContext != "" {
		return cf.CurrentContext, "currentContext of " + filepath.Join(dir, config.ConfigFileName), nil
	}
	return "default", "the default docker context", nil
}

// ResolveDocker finds the Docker engine named by name: a docker context,
// an engine address (unix://…, tcp://…, ssh://…), or "" for the one the
// docker CLI would use. getenv reads the environment (nil: the process's).
func ResolveDocker(getenv func(string) string, name string) (*DockerEngine, error) {
	return env{getenv}.resolveDocker(name)
}

func (e env) resolveDocker(name string) (*DockerEngine, error) {
	d, err := e.findDocker(name)
	if err == nil {
		d.named = name != ""
	}
	return d, err
}

func (e env) findDocker(name string) (*DockerEngine, error) {
	source := "docker context " + name
	if name == "" {
		var err error
		if name, source, err = e.currentDockerContext(); err != nil {
			return nil, err
		}
	}
	if strings.Contains(name, "://") {
		// buildx stores the default context's engine by its address.
		return &DockerEngine{Context: name, Host: name, Source: source,
			ep: docker.Endpoint{EndpointMeta: docker.EndpointMeta{Host: name}}}, nil
	}
	if name == "default" {
		return e.defaultDocker(source)
	}
	s := e.contextStore()
	meta, err := s.GetMetadata(name)
	if err != nil && !cerrdefs.IsNotFound(err) {
		return nil, configErrorf("docker context %q: %v", name, err)
	}
	if err != nil {
		names, _ := store.Names(s)
		return nil, configErrorf("docker context %q (%s) does not exist; the contexts are: %s", name, source,
			strings.Join(append([]string{"default"}, names...), ", "))
	}
	epMeta, err := docker.EndpointFromContext(meta)
	if err != nil {
		return nil, configErrorf("docker context %q: %v", name, err)
	}
	ep, err := docker.WithTLSData(s, name, epMeta)
	if err != nil {
		return nil, configErrorf("docker context %q: %v", name, err)
	}
	return &DockerEngine{Context: name, Host: ep.Host, Source: source, ep: ep}, nil
}

// defaultDocker is the default context: DOCKER_HOST with the TLS settings
// of DOCKER_TLS_VERIFY, DOCKER_TLS and DOCKER_CERT_PATH, as the docker CLI
// reads them.
func (e env) defaultDocker(source string) (*DockerEngine, error) {
	verify := e.get("DOCKER_TLS_VERIFY") != ""
	useTLS := verify || e.get("DOCKER_TLS") != ""
	host := strings.TrimSpace(e.get("DOCKER_HOST"))
	switch {
	case host == "" && useTLS:
		host = "tcp://localhost:2376"
	case host == "":
		host = defaultDockerHost
	case !strings.Contains(host, "://"):
		host = "tcp://" + host
	}
	ep := docker.Endpoint{EndpointMeta: docker.EndpointMeta{Host: host, SkipTLSVerify: useTLS && !verify}}
	if useTLS {
		dir := e.get("DOCKER_CERT_PATH")
		if dir == "" {
			dir = e.dockerConfigDir()
		}
		data, err := dcontext.TLSDataFromFiles(filepath.Join(dir, "ca.pem"), filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem"))
		if err != nil {
			return nil, configErrorf("DOCKER_TLS_VERIFY is set, but the TLS files are not usable: %v; set DOCKER_CERT_PATH to the folder holding ca.pem, cert.pem and key.pem", err)
		}
		ep.TLSData = data
	}
	return &DockerEngine{Context: "default", Host: host, Source: source, ep: ep}, nil
}

// String is how messages name the engine.
func (d *DockerEngine) String() string {
	if d.Context == d.Host {
		return "docker engine " + d.Host
	}
	return fmt.Sprintf("docker engine %s (context %s)", d.Host, d.Context)
}

// cli is a docker command on the engine, for messages: by its context,
// or by its address when it was given as one.
func (d *DockerEngine) cli(args string) string {
	if d.Context == d.Host {
		return "docker --host " + d.Host + " " + args
	}
	return "docker --context " + d.Context + " " + args
}

// Client returns an API client for the engine; it negotiates the API
// version on first use. The caller closes it.
func (d *DockerEngine) Client() (*client.Client, error) {
	opts, err := d.ep.ClientOpts()
	if err != nil {
		return nil, configErrorf("%s: %v", d, err)
	}
	c, err := client.New(opts...)
	if err != nil {
		return nil, configErrorf("%s: %v", d, err)
	}
	return c, nil
}

func (d *DockerEngine) unreachable(err error) string {
	return d.failure(err) + "\n" + d.remedy()
}

// failure says that the engine does not answer, and why when it can tell.
func (d *DockerEngine) failure(err error) string {
	where := d.Host
	if d.Context != d.Host {
		where += " (docker context " + d.Context + ")"
	}
	if path, ok := strings.CutPrefix(d.Host, "unix://"); ok {
		if _, serr := os.Stat(path); serr != nil {
			return fmt.Sprintf("no docker engine answers at %s: %s does not exist", where, path)
		}
	}
	return fmt.Sprintf("no docker engine answers at %s: %v", where, err)
}

func (d *DockerEngine) remedy() string {
	if d.named {
		if d.Context == d.Host {
			return "Start the engine, or point the builder at another one."
		}
		if d.Context == "default" {
			return "Start the engine; the default docker context is DOCKER_HOST (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), else " + defaultDockerHost + "."
		}
		return "Start the engine, or check the context: `docker context inspect " + d.Context + "`."
	}
	return "Start the engine, or choose another one with DOCKER_CONTEXT, DOCKER_HOST or `docker context use` (it was chosen by " + d.Source + ")."
}
