package main

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// loopbackName is a host name that resolves only to loopback addresses
// but does not look like loopback (not "localhost", not an IP): the
// machine's own name in /etc/hosts, as on most hosts. Without one the
// test is skipped (it fails in CI, whose machines have one): tests reach
// nothing but this machine.
func loopbackName(t *testing.T) string {
	t.Helper()
	skip := t.Skipf
	if os.Getenv("CI") != "" {
		skip = t.Fatalf
	}
	h, err := os.Hostname()
	if err != nil || h == "" || strings.EqualFold(h, "localhost") || net.ParseIP(h) != nil {
		skip("no usable host name (%q, %v)", h, err)
	}
	addrs, err := net.LookupHost(h)
	if err != nil || len(addrs) == 0 {
		skip("host name %s does not resolve: %v", h, err)
	}
	for _, a := range addrs {
		if ip := net.ParseIP(a); ip == nil || !ip.IsLoopback() {
			skip("host name %s resolves to %s, not loopback", h, a)
		}
	}
	return h
}

// A plain-HTTP registry reached by a name that is not loopback-looking:
// BuildKit pushes each platform there because the output says
// registry.insecure=true, and the index merge honours it too (before, it
// failed with "server gave HTTP response to HTTPS client"). Without the
// attribute the error says what to add.
func TestRunInsecureRegistryByName(t *testing.T) {
	env := executortest.Stack(t)
	host := loopbackName(t)
	_, port, err := net.SplitHostPort(env.Registry)
	if err != nil {
		t.Fatal(err)
	}
	repo := host + ":" + port + strings.TrimPrefix(env.Repo(t), env.Registry)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN uname -m > /arch\n"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["`+repo+`:v1"]
  output = ["type=registry,registry.insecure=true"]
}
target "strict" {
  inherits = ["app"]
  tags = ["`+repo+`:v2"]
  output = ["type=registry"]
}
`)
	code, out := cliRun(t, dir, nil, "app", "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	ins, err := oci.NewClient(oci.WithInsecureRegistries(host+":"+port)).Inspect(t.Context(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	images := 0
	for _, m := range ins.Manifests {
		if !m.Attestation {
			images++
		}
	}
	if images != 2 {
		t.Errorf("%s:v1 has %d images, want 2: %+v", repo, images, ins.Manifests)
	}

	code, out = cliRun(t, dir, nil, "strict", "--progress=quiet")
	if code != 1 || !strings.Contains(out.String(), "add registry.insecure=true to the output") {
		t.Errorf("without registry.insecure: exit %d, want 1 and the remedy\n%s", code, out)
	}
}
