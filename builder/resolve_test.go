package builder

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/docker/cli/cli/context/docker"
	"github.com/docker/cli/cli/context/store"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// testEnv is a home with a docker config folder, a buildx store and an
// environment of its own.
type testEnv struct {
	t    *testing.T
	home string
	vars map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	home := t.TempDir()
	return &testEnv{t: t, home: home, vars: map[string]string{"HOME": home}}
}

func (e *testEnv) getenv(k string) string { return e.vars[k] }

// storeDir is ~/.docker/buildx, where buildx keeps builders by default.
func (e *testEnv) storeDir() string { return filepath.Join(e.home, ".docker", "buildx") }

func (e *testEnv) write(path, content string) {
	e.t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		e.t.Fatal(err)
	}
}

// builder writes a store entry the way buildx saves it.
func (e *testEnv) builder(name, content string) {
	e.write(filepath.Join(e.storeDir(), "instances", name), content)
}

func (e *testEnv) remote(name, endpoint string) {
	e.builder(name, `{"Name":"`+name+`","Driver":"remote","Nodes":[{"Name":"`+name+`0","Endpoint":"`+endpoint+`","Platforms":null,"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}`)
}

func (e *testEnv) current(key, name string, global bool) {
	g := "false"
	if global {
		g = "true"
	}
	e.write(filepath.Join(e.storeDir(), "current"), `{"Key":"`+key+`","Name":"`+name+`","Global":`+g+`}`)
}

// dockerContext creates a docker context as `docker context create`.
func (e *testEnv) dockerContext(name, host string) {
	e.t.Helper()
	s := env{e.getenv}.contextStore()
	err := s.CreateOrUpdate(store.Metadata{Name: name, Metadata: map[string]any{},
		Endpoints: map[string]any{docker.DockerEndpoint: docker.EndpointMeta{Host: host}}})
	if err != nil {
		e.t.Fatal(err)
	}
}

func (e *testEnv) resolve(opt Options) (*Builder, error) {
	opt.Getenv = e.getenv
	return Resolve(opt)
}

func TestResolveOrder(t *testing.T) {
	e := newTestEnv(t)
	e.remote("flag", "tcp://127.0.0.1:1001")
	e.remote("envb", "tcp://127.0.0.1:1002")
	e.remote("cur", "tcp://127.0.0.1:1003")
	e.current(defaultDockerHost, "cur", false)
	e.vars["BUILDX_BUILDER"] = "envb"
	e.vars["BUILDKIT_HOST"] = "tcp://127.0.0.1:1004"

	steps := []struct {
		name, endpoint, source string
		then                   func()
	}{
		{"flag", "tcp://127.0.0.1:1001", "--builder", func() {}},
		{"envb", "tcp://127.0.0.1:1002", "BUILDX_BUILDER", func() { delete(e.vars, "BUILDX_BUILDER") }},
		{"cur", "tcp://127.0.0.1:1003", "the current buildx builder", func() { os.Remove(filepath.Join(e.storeDir(), "current")) }},
		{AddressBuilder, "tcp://127.0.0.1:1004", "BUILDKIT_HOST", func() { delete(e.vars, "BUILDKIT_HOST") }},
		{AddressBuilder, DefaultBuildKitHost, "the default address", func() {}},
	}
	opt := Options{Name: "flag"}
	for i, s := range steps {
		b, err := e.resolve(opt)
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if b.Name != s.name || b.Nodes[0].Endpoint != s.endpoint || !strings.HasPrefix(b.Source, s.source) {
			t.Errorf("step %d: got %s %s from %q, want %s %s from %q", i, b.Name, b.Nodes[0].Endpoint, b.Source, s.name, s.endpoint, s.source)
		}
		opt.Name = ""
		s.then()
	}
}

// buildx keys the current builder by docker endpoint: the context name,
// or the default context's engine address. A global choice applies to
// every endpoint; `docker buildx use --default` files one per endpoint.
func TestResolveCurrentKey(t *testing.T) {
	e := newTestEnv(t)
	e.remote("a", "tcp://127.0.0.1:1001")
	e.remote("b", "tcp://127.0.0.1:1002")
	e.dockerContext("remote-engine", "tcp://127.0.0.1:2375")
	name := func() string {
		t.Helper()
		b, err := e.resolve(Options{})
		if err != nil {
			t.Fatal(err)
		}
		return b.Name
	}

	e.current("remote-engine", "a", false)
	if got := name(); got != AddressBuilder {
		t.Errorf("a choice for another endpoint was used: %s", got)
	}
	e.vars["DOCKER_CONTEXT"] = "remote-engine"
	if got := name(); got != "a" {
		t.Errorf("with DOCKER_CONTEXT=remote-engine: %s, want a", got)
	}
	delete(e.vars, "DOCKER_CONTEXT")
	e.vars["DOCKER_HOST"] = "unix:///run/other.sock"
	e.current("unix:///run/other.sock", "b", false)
	if got := name(); got != "b" {
		t.Errorf("with DOCKER_HOST: %s, want b (keyed by the engine address)", got)
	}
	e.current("unrelated", "a", true)
	if got := name(); got != "a" {
		t.Errorf("global: %s, want a", got)
	}
	e.current("unrelated", "a", false)
	sum := sha256.Sum256([]byte("unix:///run/other.sock"))
	e.write(filepath.Join(e.storeDir(), "defaults", hex.EncodeToString(sum[:])[:20]), "b")
	if got := name(); got != "b" {
		t.Errorf("per-endpoint default: %s, want b", got)
	}
	// A removed builder is forgotten, as buildx does.
	e.current("unused", "gone", true)
	os.RemoveAll(filepath.Join(e.storeDir(), "defaults"))
	if got := name(); got != AddressBuilder {
		t.Errorf("a removed current builder: %s", got)
	}
}

func TestStoreLocation(t *testing.T) {
	e := newTestEnv(t)
	if got := OpenStore(e.getenv).Dir; got != filepath.Join(e.home, ".docker", "buildx") {
		t.Errorf("default: %s", got)
	}
	e.vars["DOCKER_CONFIG"] = "/cfg"
	if got := OpenStore(e.getenv).Dir; got != "/cfg/buildx" {
		t.Errorf("DOCKER_CONFIG: %s", got)
	}
	e.vars["BUILDX_CONFIG"] = "/bx"
	if got := OpenStore(e.getenv).Dir; got != "/bx" {
		t.Errorf("BUILDX_CONFIG: %s", got)
	}
}

// A multi-node builder as `docker buildx create --append` leaves it: every
// node with its platforms and driver options.
func TestResolveMultiNode(t *testing.T) {
	e := newTestEnv(t)
	e.builder("multi", `{"Name":"multi","Driver":"docker-container","Nodes":[
	  {"Name":"multi0","Endpoint":"default","Platforms":[{"architecture":"amd64","os":"linux"}],"DriverOpts":{"image":"moby/buildkit"},"Flags":null,"Files":null},
	  {"Name":"multi1","Endpoint":"arm-box","Platforms":[{"architecture":"arm64","os":"linux"},{"architecture":"arm","os":"linux","variant":"v7"}],"DriverOpts":null,"Flags":null,"Files":null}],"Dynamic":false}`)
	b, err := e.resolve(Options{Name: "Multi"}) // names are case-insensitive in buildx
	if err != nil {
		t.Fatal(err)
	}
	if b.Driver != DriverDockerContainer || len(b.Nodes) != 2 {
		t.Fatalf("%+v", b)
	}
	got := []string{b.Nodes[0].Name + " " + b.Nodes[0].Endpoint + " " + strings.Join(b.Nodes[0].Platforms, ","),
		b.Nodes[1].Name + " " + b.Nodes[1].Endpoint + " " + strings.Join(b.Nodes[1].Platforms, ",")}
	want := []string{"multi0 default linux/amd64", "multi1 arm-box linux/arm64,linux/arm/v7"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("nodes %q, want %q", got, want)
	}
	if b.Nodes[0].DriverOpts["image"] != "moby/buildkit" {
		t.Errorf("driver options lost: %v", b.Nodes[0].DriverOpts)
	}
	if d := b.Nodes[1].Describe(); d != "container buildx_buildkit_multi1 on docker context arm-box" {
		t.Errorf("describe: %s", d)
	}
}

// A name that is not a buildx builder may be a docker context: its
// engine's own BuildKit, as buildx's default builder.
func TestResolveDockerContext(t *testing.T) {
	e := newTestEnv(t)
	e.dockerContext("colima", "unix:///home/me/.colima/docker.sock")
	for _, name := range []string{"colima", "default"} {
		b, err := e.resolve(Options{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if b.Driver != DriverDocker || b.Nodes[0].Endpoint != name {
			t.Errorf("%s: %+v %+v", name, b, b.Nodes[0])
		}
	}
}

func TestResolveErrors(t *testing.T) {
	e := newTestEnv(t)
	e.remote("alpha", "tcp://127.0.0.1:1")
	e.remote("beta", "tcp://127.0.0.1:2")
	e.dockerContext("colima", "unix:///c.sock")
	e.builder("broken", `{"Name":"broken","Driver":"remote","Nodes":[{"Name":"broken0","Endpoint":"tcp://127.0.0.1:3",
  "Platforms":"linux/amd64"}]}`)
	e.builder("nodeless", `{"Name":"nodeless","Driver":"docker-container","Nodes":[]}`)
	e.builder("cloudy", `{"Name":"cloudy","Driver":"cloud","Nodes":[{"Name":"cloudy0","Endpoint":"cloud://x"}]}`)
	e.builder("relative", `{"Name":"relative","Driver":"remote","Nodes":[{"Name":"r0","Endpoint":"tcp://127.0.0.1:4","DriverOpts":{"cacert":"ca.pem"}}]}`)
	e.builder("missingca", `{"Name":"missingca","Driver":"remote","Nodes":[{"Name":"m0","Endpoint":"tcp://127.0.0.1:4","DriverOpts":{"cacert":"/nonexistent/ca.pem"}}]}`)
	e.builder("syntax", `{"Name":"syntax",`)
	e.builder("badfile", `{"Name":"badfile","Driver":"remote","Nodes":[{"Name":"n0","Endpoint":"tcp://127.0.0.1:4","Files":{"buildkitd.toml":"not base64!"}}]}`)
	e.builder("noscheme", `{"Name":"noscheme","Driver":"remote","Nodes":[{"Name":"n0","Endpoint":"buildkitd:1234"}]}`)
	file := func(name string) string { return filepath.Join(e.storeDir(), "instances", name) }
	for _, c := range []struct {
		opt  Options
		want string
	}{
		{Options{Name: "gamma"}, `--builder: no builder "gamma"; the buildx builders (in ` + e.storeDir() + `) are alpha, badfile, beta, broken, cloudy, missingca, nodeless, noscheme, relative, syntax; the docker contexts (the engine's own BuildKit) are default, colima`},
		{Options{Name: "broken"}, file("broken") + `: 2:15: field "Nodes.Platforms": a JSON string where a list belongs`},
		{Options{Name: "nodeless"}, file("nodeless") + `: field "Nodes" is empty`},
		{Options{Name: "cloudy"}, file("cloudy") + `: field "Driver": xbake cannot use driver "cloud"`},
		{Options{Name: "relative"}, file("relative") + `: field "Nodes[0].DriverOpts": cacert=ca.pem: the path must be absolute`},
		{Options{Name: "missingca"}, file("missingca") + ": builder missingca, node m0: CA certificate /nonexistent/ca.pem does not exist"},
		{Options{Name: "syntax"}, file("syntax") + `: 1:17: invalid JSON: unexpected end of JSON input`},
		{Options{Name: "badfile"}, file("badfile") + `: field "Nodes[0].Files[\"buildkitd.toml\"]": not base64 (illegal base64 data at input byte 3)`},
		{Options{Name: "noscheme"}, file("noscheme") + `: field "Nodes[0].Endpoint": "buildkitd:1234" is not an address: it needs a scheme, as in tcp://HOST:PORT or unix:///PATH`},
		{Options{Name: "alpha", TLS: TLS{CA: "/ca.pem"}}, "the TLS flags apply to a tcp:// address"},
		{Options{Name: "unix:///run/b.sock", TLS: TLS{CA: "/ca.pem"}}, "--builder: TLS settings apply to tcp:// addresses only"},
		{Options{Name: "tcp://127.0.0.1"}, `--builder: "tcp://127.0.0.1" has no port (tcp://HOST:PORT)`},
		{Options{Name: "http://127.0.0.1:80"}, `unknown scheme "http"`},
		{Options{Name: "tcp://127.0.0.1:1234", TLSDir: "/nonexistent"}, "TLS folder /nonexistent has neither ca.pem nor ca.crt"},
	} {
		_, err := e.resolve(c.opt)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v:\n got %v\nwant %s", c.opt, err, c.want)
			continue
		}
		if !IsConfigError(err) {
			t.Errorf("%+v: %v is not a configuration error", c.opt, err)
		}
	}
}

// Every BuildKit address form is accepted, with TLS only for tcp://.
func TestResolveAddressForms(t *testing.T) {
	e := newTestEnv(t)
	for _, a := range []string{"unix:///run/buildkit/buildkitd.sock", "tcp://127.0.0.1:1234",
		"docker-container://buildx_buildkit_x0?context=colima", "podman-container://bk", "nerdctl-container://bk",
		"kube-pod://buildkitd-0?namespace=ci", "ssh://me@host:2222/run/buildkit/buildkitd.sock"} {
		b, err := e.resolve(Options{Name: a})
		if err != nil {
			t.Errorf("%s: %v", a, err)
			continue
		}
		if b.Name != AddressBuilder || b.Nodes[0].Endpoint != a || b.Driver != "" {
			t.Errorf("%s: %+v", a, b)
		}
	}
}

func TestNodeErrorWording(t *testing.T) {
	n := &Node{Builder: "multi", Name: "multi1", Driver: DriverDockerContainer, Endpoint: "arm-box"}
	err := n.Unreachable(errors.New("EOF"))
	want := "builder multi, node multi1 (container buildx_buildkit_multi1 on docker context arm-box) does not answer: EOF\n" +
		"Check that container buildx_buildkit_multi1 runs and has buildctl: `docker --context arm-box logs buildx_buildkit_multi1`."
	if err.Error() != want {
		t.Errorf("got\n%s\nwant\n%s", err, want)
	}
	if IsConfigError(err) {
		t.Error("an unreachable node is not a configuration error")
	}
	// buildx stores the default context's engine by its address, which
	// `docker --context` does not take.
	n.Endpoint = "unix:///run/other/docker.sock"
	want = "Check that container buildx_buildkit_multi1 runs and has buildctl: `docker --host unix:///run/other/docker.sock logs buildx_buildkit_multi1`."
	if _, got, _ := strings.Cut(n.Unreachable(errors.New("EOF")).Error(), "\n"); got != want {
		t.Errorf("stored address: got\n%s\nwant\n%s", got, want)
	}
}

// The max-parallelism of the buildkitd.toml that buildx keeps for a node
// (base64 in Files) is the node's capacity.
func TestStoreCapacity(t *testing.T) {
	e := newTestEnv(t)
	toml := base64.StdEncoding.EncodeToString([]byte("[worker.oci]\n  max-parallelism = 3\n"))
	e.builder("capped", `{"Name":"capped","Driver":"remote","Nodes":[{"Name":"c0","Endpoint":"tcp://127.0.0.1:4","Files":{"buildkitd.toml":"`+toml+`"}},{"Name":"c1","Endpoint":"tcp://127.0.0.1:5","Files":null}]}`)
	b, err := e.resolve(Options{Name: "capped"})
	if err != nil {
		t.Fatal(err)
	}
	if b.Nodes[0].Capacity != 3 || b.Nodes[1].Capacity != 0 {
		t.Errorf("capacities %d, %d; want 3, 0", b.Nodes[0].Capacity, b.Nodes[1].Capacity)
	}
}

// The remedy for a missing or stopped container names the engine the way
// the docker CLI takes it: a context by --context, an address by --host.
func TestContainerRemedy(t *testing.T) {
	e := newTestEnv(t)
	e.dockerContext("box", "unix:///run/box.sock")
	for endpoint, want := range map[string]string{
		"box":                    "docker --context box start buildx_buildkit_n0",
		"unix:///run/other.sock": "docker --host unix:///run/other.sock start buildx_buildkit_n0",
		"tcp://192.0.2.1:2376":   "docker --host tcp://192.0.2.1:2376 start buildx_buildkit_n0",
	} {
		n := &Node{Builder: "b", Name: "n0", Driver: DriverDockerContainer, Endpoint: endpoint, env: env{e.getenv}}
		eng, err := n.env.resolveDocker(endpoint)
		if err != nil {
			t.Fatal(err)
		}
		if got := eng.cli("start buildx_buildkit_n0"); got != want {
			t.Errorf("%s: got %q, want %q", endpoint, got, want)
		}
	}
}

func parsePlatforms(t *testing.T, ss ...string) []ocispec.Platform {
	t.Helper()
	var out []ocispec.Platform
	for _, s := range ss {
		p, err := platforms.Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, p)
	}
	return out
}

func TestNative(t *testing.T) {
	reported := parsePlatforms(t, "linux/amd64", "linux/amd64/v2", "linux/arm64", "linux/386")
	fmtAll := func(ps []ocispec.Platform) string {
		var s []string
		for _, p := range ps {
			s = append(s, platforms.Format(p))
		}
		return strings.Join(s, ",")
	}
	if got := fmtAll(Native(nil, reported)); got != "linux/amd64,linux/amd64/v2,linux/386" {
		t.Errorf("from workers: %s", got)
	}
	if got := fmtAll(Native([]string{"linux/arm64"}, reported)); got != "linux/arm64" {
		t.Errorf("declared: %s", got)
	}
	// What ls, inspect and doctor show as native: the CPU's own platforms
	// and the declared ones; the amd64 variants and 386 of a node declared
	// for linux/amd64 are not emulated.
	n := &Node{Endpoint: "tcp://192.0.2.1:1234", Platforms: []string{"linux/amd64"}}
	if got := fmtAll(n.shownNative(reported)); got != "linux/amd64,linux/amd64/v2,linux/386" {
		t.Errorf("shown for a node declared for linux/amd64: %s", got)
	}
	n.Platforms = []string{"linux/arm64"}
	if got := fmtAll(n.shownNative(reported)); got != "linux/amd64,linux/amd64/v2,linux/386,linux/arm64" {
		t.Errorf("shown for a node declared for linux/arm64: %s", got)
	}
}

// List shows buildx's builders, a malformed one with its error, and every
// docker context as a docker-driver builder.
func TestList(t *testing.T) {
	e := newTestEnv(t)
	e.remote("beta", "tcp://127.0.0.1:2")
	e.remote("alpha", "tcp://127.0.0.1:1")
	e.builder("broken", `{`)
	e.dockerContext("colima", "unix:///c.sock")
	var got []string
	for _, l := range List(e.getenv, "") {
		s := l.Name
		if l.Err != nil {
			s += " error"
		} else {
			s += " " + l.Builder.Driver
		}
		got = append(got, s)
	}
	if s := strings.Join(got, ", "); s != "alpha remote, beta remote, broken error, default docker, colima docker" {
		t.Errorf("list: %s", s)
	}
}

// The engine is found as the docker CLI finds it: DOCKER_HOST, then
// DOCKER_CONTEXT, then config.json's currentContext, then the default.
func TestResolveDocker(t *testing.T) {
	e := newTestEnv(t)
	e.dockerContext("colima", "unix:///home/me/.colima/docker.sock")
	engine := func() string {
		t.Helper()
		d, err := ResolveDocker(e.getenv, "")
		if err != nil {
			t.Fatal(err)
		}
		return d.Context + " " + d.Host + " (" + d.Source + ")"
	}
	if got := engine(); got != "default unix:///var/run/docker.sock (the default docker context)" {
		t.Errorf("nothing set: %s", got)
	}
	e.write(filepath.Join(e.home, ".docker", "config.json"), `{"currentContext": "colima"}`)
	if got := engine(); got != "colima unix:///home/me/.colima/docker.sock (currentContext of "+filepath.Join(e.home, ".docker", "config.json")+")" {
		t.Errorf("docker context use: %s", got)
	}
	e.vars["DOCKER_CONTEXT"] = "default"
	if got := engine(); got != "default unix:///var/run/docker.sock (DOCKER_CONTEXT)" {
		t.Errorf("DOCKER_CONTEXT: %s", got)
	}
	e.vars["DOCKER_HOST"] = "127.0.0.1:2375"
	if got := engine(); got != "default tcp://127.0.0.1:2375 (DOCKER_HOST)" {
		t.Errorf("DOCKER_HOST without a scheme: %s", got)
	}
	e.vars["DOCKER_TLS_VERIFY"] = "1"
	e.vars["DOCKER_CERT_PATH"] = "/nonexistent"
	if _, err := ResolveDocker(e.getenv, ""); err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), "DOCKER_TLS_VERIFY is set, but the TLS files are not usable") {
		t.Errorf("DOCKER_TLS_VERIFY without files: %v", err)
	}
	delete(e.vars, "DOCKER_HOST")
	delete(e.vars, "DOCKER_TLS_VERIFY")
	e.vars["DOCKER_CONTEXT"] = "nope"
	if _, err := ResolveDocker(e.getenv, ""); err == nil || !IsConfigError(err) || err.Error() != `docker context "nope" (DOCKER_CONTEXT) does not exist; the contexts are: default, colima` {
		t.Errorf("unknown context: %v", err)
	}
}
