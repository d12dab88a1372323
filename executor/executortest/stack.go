package executortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
)

// StackEnv is the local builder stack that `make up` starts
// (scripts/stack.sh), as seen through the environment `make test` exports.
type StackEnv struct {
	BuildKitHost string // BUILDKIT_HOST: the daemon, e.g. unix:///run/xbake/buildkitd.sock
	Registry     string // XBAKE_REGISTRY: host:port of the plain-http registry without auth
	AuthRegistry string // XBAKE_AUTH_REGISTRY: host:port of the plain-http registry with htpasswd auth
	AuthUser     string // XBAKE_AUTH_USER: the auth registry's test user
	AuthPassword string // XBAKE_AUTH_PASSWORD: and its password
}

// stackVars are the variables Stack reads, in the order it reports them.
var stackVars = []string{"BUILDKIT_HOST", "XBAKE_REGISTRY", "XBAKE_AUTH_REGISTRY", "XBAKE_AUTH_USER", "XBAKE_AUTH_PASSWORD"}

// Stack returns the local stack for an integration test. Without it the
// test is skipped, except when CI is set: integration tests must run in CI,
// so there a missing or silent stack fails the test instead.
//
// The stack is probed once per test binary: the daemon must list its
// workers and both registries must answer, within a few seconds.
func Stack(t testing.TB) StackEnv {
	t.Helper()
	env := StackEnv{
		BuildKitHost: os.Getenv("BUILDKIT_HOST"),
		Registry:     os.Getenv("XBAKE_REGISTRY"),
		AuthRegistry: os.Getenv("XBAKE_AUTH_REGISTRY"),
		AuthUser:     os.Getenv("XBAKE_AUTH_USER"),
		AuthPassword: os.Getenv("XBAKE_AUTH_PASSWORD"),
	}
	var missing []string
	for i, v := range []string{env.BuildKitHost, env.Registry, env.AuthRegistry, env.AuthUser, env.AuthPassword} {
		if v == "" {
			missing = append(missing, stackVars[i])
		}
	}
	if len(missing) > 0 {
		unavailable(t, fmt.Sprintf("%s not set", strings.Join(missing, ", ")))
		return env
	}
	if err := probeOnce(env); err != nil {
		unavailable(t, err.Error())
	}
	return env
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("the local builder stack is required in CI: %s; CI must run `make test`, which starts it (`make up`)", why)
	}
	t.Skipf("no local builder stack (%s): run `make test`, or `make up` and then `eval \"$(scripts/stack.sh env)\"`", why)
}

var probes struct {
	sync.Mutex
	done map[StackEnv]error
}

func probeOnce(env StackEnv) error {
	probes.Lock()
	defer probes.Unlock()
	if err, ok := probes.done[env]; ok {
		return err
	}
	err := probe(env)
	if probes.done == nil {
		probes.done = map[StackEnv]error{}
	}
	probes.done[env] = err
	return err
}

func probe(env StackEnv) error {
	// Tests send real traffic; only this machine may receive it.
	if err := loopbackBuildKit(env.BuildKitHost); err != nil {
		return err
	}
	for _, r := range []string{env.Registry, env.AuthRegistry} {
		if err := loopbackHost(r); err != nil {
			return fmt.Errorf("registry %q: %w", r, err)
		}
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := client.New(ctx, env.BuildKitHost)
	if err != nil {
		return fmt.Errorf("buildkitd at %s: %w", env.BuildKitHost, err)
	}
	defer c.Close()
	workers, err := c.ListWorkers(ctx)
	if err != nil {
		return fmt.Errorf("buildkitd at %s does not answer: %w", env.BuildKitHost, err)
	}
	if len(workers) == 0 {
		return fmt.Errorf("buildkitd at %s has no workers", env.BuildKitHost)
	}

	if code, err := v2Status(ctx, env.Registry, "", ""); err != nil || code != http.StatusOK {
		return fmt.Errorf("registry %s: /v2/ answered %d, %v; want 200", env.Registry, code, err)
	}
	if code, err := v2Status(ctx, env.AuthRegistry, env.AuthUser, env.AuthPassword); err != nil || code != http.StatusOK {
		return fmt.Errorf("auth registry %s: /v2/ as %s answered %d, %v; want 200", env.AuthRegistry, env.AuthUser, code, err)
	}
	return nil
}

func v2Status(ctx context.Context, host, user, password string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+host+"/v2/", nil)
	if err != nil {
		return 0, err
	}
	if user != "" {
		req.SetBasicAuth(user, password)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func loopbackBuildKit(addr string) error {
	u, err := url.Parse(addr)
	if err != nil {
		return fmt.Errorf("BUILDKIT_HOST %q: %w", addr, err)
	}
	switch u.Scheme {
	case "unix":
		return nil
	case "tcp":
		if err := loopbackHost(u.Host); err != nil {
			return fmt.Errorf("BUILDKIT_HOST %q: %w", addr, err)
		}
		return nil
	}
	return fmt.Errorf("BUILDKIT_HOST %q: tests use only unix:// or loopback tcp:// daemons", addr)
}

func loopbackHost(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("%s is not a loopback address; tests only talk to this machine", host)
}

// Client connects to the stack's daemon and closes the connection when the
// test ends.
func (e StackEnv) Client(t testing.TB) *client.Client {
	t.Helper()
	c, err := client.New(context.Background(), e.BuildKitHost)
	if err != nil {
		t.Fatalf("connect to buildkitd at %s: %v", e.BuildKitHost, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// Repo returns a repository in the plain registry that no other test run
// uses, such as localhost:5000/test/teststackpush-1a2b3c4d, so tests that
// push can run in parallel and again without seeing each other's tags.
func (e StackEnv) Repo(t testing.TB) string {
	t.Helper()
	var b [4]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	var name strings.Builder
	for _, r := range strings.ToLower(t.Name()) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			name.WriteRune(r)
		} else if name.Len() > 0 && !strings.HasSuffix(name.String(), "-") {
			name.WriteByte('-')
		}
	}
	return fmt.Sprintf("%s/test/%s-%s", e.Registry, strings.Trim(name.String(), "-"), hex.EncodeToString(b[:]))
}
