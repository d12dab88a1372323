package builder

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// kubectl that cannot reach the cluster logs one line per retry before
// the one that says why; the error keeps that one, so that doctor's line
// for the problem stays one line.
func TestKubectlFailureLastLine(t *testing.T) {
	bin := t.TempDir()
	script := "#!/bin/sh\n" +
		"echo 'E1201 memcache.go:265] \"Unhandled Error\" err=\"couldn'\\''t get current server API group list\"' >&2\n" +
		"echo 'E1201 memcache.go:265] \"Unhandled Error\" err=\"couldn'\\''t get current server API group list\"' >&2\n" +
		"echo 'The connection to the server localhost:8080 was refused - did you specify the right host or port?' >&2\n" +
		"exit 1\n"
	if err := os.WriteFile(filepath.Join(bin, "kubectl"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin)
	n := &Node{Builder: "kb", Name: "kb0", Driver: DriverKubernetes, DriverOpts: map[string]string{"namespace": "ci"}}
	_, err := n.Dial(context.Background())
	want := "builder kb, node kb0 (kubernetes pods app=kb0 in namespace ci) does not answer: kubectl --namespace ci get pods --selector app=kb0 --output json: exit status 1: The connection to the server localhost:8080 was refused - did you specify the right host or port?\n" +
		"Check kubectl's access to the cluster: `kubectl get pods`."
	if err == nil || err.Error() != want {
		t.Errorf("got\n%v\nwant\n%s", err, want)
	}
	if err != nil && strings.Contains(err.Error(), "memcache") {
		t.Error("the retries' log lines are kept")
	}
}
