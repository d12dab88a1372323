package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/executor/oci/ocitest"
)

// shortTimeouts makes a silent server fail a command in about a second;
// slow answers take less than the idle timeout.
func shortTimeouts(t *testing.T) {
	old := httpTimeouts
	httpTimeouts = oci.Timeouts{Connect: time.Second, Idle: time.Second}
	t.Cleanup(func() { httpTimeouts = old })
}

// imagetools inspect against a registry that never answers the manifest
// request ends with an error that names the reference and the registry;
// against a slow one it succeeds.
func TestImagetoolsInspectTimeouts(t *testing.T) {
	shortTimeouts(t)
	reg := testRegistry(t, "", "")
	ref := reg + "/app:v1"
	write(t, ref, platformImage(t, "linux", "arm64", ""))

	p := ocitest.NewProxy(t, reg, ocitest.Rule{Method: http.MethodGet, Path: "/manifests/", Fault: ocitest.Hang})
	_, stderr, code := runImagetools(t, nil, "inspect", p.Swap(ref))
	want := "fetching " + p.Swap(ref) + ": giving up after 4 attempts: "
	if code != exitFailure || !strings.Contains(stderr, want) || !strings.Contains(stderr, p.Host+" sent nothing for 1s") {
		t.Errorf("hang: exit %d, stderr %q; want %d with %q and %q", code, stderr, exitFailure, want, p.Host+" sent nothing for 1s")
	}

	p = ocitest.NewProxy(t, reg, ocitest.Rule{Fault: ocitest.Slow, Delay: 700 * time.Millisecond})
	stdout, stderr, code := runImagetools(t, nil, "inspect", p.Swap(ref))
	if code != exitOK || !strings.Contains(stdout, "Platform:  linux/arm64") {
		t.Errorf("slow: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}

// --print of a remote definition whose server stops answering ends with
// an error naming the URL; a slow server is waited for.
func TestRemoteHTTPDefinitionTimeouts(t *testing.T) {
	shortTimeouts(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "target \"default\" {\n  tags = [\"remote\"]\n}\n")
	}))
	t.Cleanup(srv.Close)
	backend := strings.TrimPrefix(srv.URL, "http://")
	work := t.TempDir()

	p := ocitest.NewProxy(t, backend, ocitest.Rule{Path: "/hang.hcl", Fault: ocitest.Hang}, ocitest.Rule{Path: "/slow.hcl", Fault: ocitest.Slow, Delay: 700 * time.Millisecond})
	url := "http://" + p.Host + "/hang.hcl"
	code, _, stderr := runCLI(t, work, nil, url, "--print")
	if want := `fetching the definition: Get "` + url + `": ` + p.Host + " sent nothing for 1s"; code != exitFailure || !strings.Contains(stderr, want) {
		t.Errorf("hang: exit %d, stderr %q; want %d with %q", code, stderr, exitFailure, want)
	}
	code, stdout, stderr := runCLI(t, work, nil, "http://"+p.Host+"/slow.hcl", "--print")
	if code != exitOK || !strings.Contains(stdout, `"remote"`) {
		t.Errorf("slow: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
