//go:build !xbakefront

package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// builder ls lists the builders also when the one a build would use
// cannot be chosen (a malformed current file), and says why, naming the
// file; it did not say anything, and marked no builder.
func TestBuilderLsBrokenCurrent(t *testing.T) {
	bx := t.TempDir()
	writeFile(t, filepath.Join(bx, "current"), `{"Key":"","Name":`)
	env := map[string]string{"BUILDX_CONFIG": bx, "DOCKER_CONFIG": t.TempDir(), "BUILDKIT_HOST": "",
		"DOCKER_HOST": "unix://" + filepath.Join(t.TempDir(), "docker.sock")}
	code, out := cliRun(t, t.TempDir(), env, "builder", "ls")
	want := "xbake: warning: no builder is marked as the one a build would use: " + filepath.Join(bx, "current") + ": 1:17: invalid JSON: unexpected end of JSON input\n"
	if code != 0 || !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "\ndefault  ") {
		t.Errorf("exit %d\n%s\nwant it to start with\n%s", code, out, want)
	}
}
