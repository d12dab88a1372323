package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/sirupsen/logrus"

	"github.com/xbake/xbake/executor/executortest"
)

func TestEnvDebug(t *testing.T) {
	for v, want := range map[string]bool{"": false, "0": false, "false": false, "1": true, "true": true, "yes": true} {
		if got := envDebug(v); got != want {
			t.Errorf("envDebug(%q) = %v, want %v", v, got, want)
		}
	}
}

// --debug (or XBAKE_DEBUG) adds debug lines on stderr and changes nothing
// on stdout; DEBUG, often a bake variable, does not.
func TestDebugOfflineLines(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "docker-bake.hcl"), `target "default" {}`+"\n")
	_, plain, _ := runCLI(t, dir, nil, "--print")
	for _, tc := range []struct {
		name string
		env  []string
		args []string
	}{
		{"flag", []string{"DOCKER_CONTEXT=ctx1"}, []string{"--debug", "--print"}},
		{"short flag", []string{"DOCKER_CONTEXT=ctx1"}, []string{"-D", "--print"}},
		{"XBAKE_DEBUG", []string{"XBAKE_DEBUG=1", "DOCKER_CONTEXT=ctx1"}, []string{"--print"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, dir, tc.env, tc.args...)
			want := "DEBUG: " + currentBuild().String() + "\n" +
				"DEBUG: environment: DOCKER_CONTEXT=ctx1\n" +
				"DEBUG: definition files: docker-bake.hcl\n"
			if code != exitOK || stdout != plain || stderr != want {
				t.Errorf("exit %d\nstdout %q\nwant   %q\nstderr %q\nwant   %q", code, stdout, plain, stderr, want)
			}
		})
	}
	for _, env := range [][]string{nil, {"XBAKE_DEBUG=0"}, {"XBAKE_DEBUG=false"}, {"DEBUG=1"}} {
		if code, _, stderr := runCLI(t, dir, env, "--print"); code != exitOK || stderr != "" {
			t.Errorf("env %v: exit %d, stderr %q; want no debug output", env, code, stderr)
		}
	}
	if code, _, stderr := runCLI(t, dir, []string{"XBAKE_DEBUG=1"}, "--debug=false", "--print"); code != exitOK || stderr != "" {
		t.Errorf("--debug=false beats XBAKE_DEBUG: exit %d, stderr %q", code, stderr)
	}
}

func TestLogFormatter(t *testing.T) {
	fsverity := &logrus.Entry{Level: logrus.WarnLevel, Message: "failed check for fsverity support",
		Data: logrus.Fields{logrus.ErrorKey: "enable fsverity failed: operation not supported", "path": "/l"}}
	for _, tc := range []struct {
		entry *logrus.Entry
		debug bool
		want  string
	}{
		{&logrus.Entry{Level: logrus.DebugLevel, Message: "fetch token", Data: logrus.Fields{"host": "r", logrus.ErrorKey: "boom", "a": 1}}, true,
			"DEBUG: fetch token: boom a=1 host=r\n"},
		{&logrus.Entry{Level: logrus.WarnLevel, Message: "slow"}, false, "WARNING: slow\n"},
		{&logrus.Entry{Level: logrus.DebugLevel, Message: "serving grpc connection"}, true, ""},
		{fsverity, false, ""},
		{fsverity, true, "WARNING: failed check for fsverity support: enable fsverity failed: operation not supported path=/l\n"},
	} {
		got, err := logFormatter{debug: tc.debug}.Format(tc.entry)
		if err != nil || string(got) != tc.want {
			t.Errorf("Format(%q) with debug %v = %q, %v; want %q", tc.entry.Message, tc.debug, got, err, tc.want)
		}
	}
}

// A failed solve under --debug is followed by BuildKit's stack traces,
// the daemon's and the client's; without it, by none.
func TestDebugStacksOfBuildKitErrors(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "fails" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo debug-stack-test && false\n"
}
`)
	code, out := cliRun(t, dir, nil, "fails", "--debug", "--progress=quiet")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	for _, re := range []string{
		`(?m)^DEBUG: stack traces of: fails@linux/amd64: failed to solve: process .* did not complete successfully`,
		`(?m)^buildkitd v\d+\.\d+\.\d+, pid \d+: .*buildkitd`,
		`(?m)^\tgithub\.com/moby/buildkit@v[^/]+/solver/.*\.go:\d+$`,
	} {
		if !regexp.MustCompile(re).MatchString(out.String()) {
			t.Errorf("--debug output lacks %s:\n%s", re, out)
		}
	}
	code, out = cliRun(t, dir, nil, "fails", "--progress=quiet")
	if code != exitFailure || strings.Contains(out.String(), "DEBUG") {
		t.Errorf("without --debug: exit %d, want 1 and no DEBUG lines:\n%s", code, out)
	}
}

// BUILDKIT_PROGRESS is the default of --progress, as in buildx: it
// replaces auto, and an explicit mode beats it.
func TestBuildKitProgressEnv(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo progress-env\n"
}
`)
	code, out := cliRun(t, dir, map[string]string{"BUILDKIT_PROGRESS": "rawjson"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	statuses := 0
	for _, line := range strings.Split(out.String(), "\n") {
		if !strings.HasPrefix(line, "{") {
			continue
		}
		var st client.SolveStatus
		if err := json.Unmarshal([]byte(line), &st); err != nil {
			t.Fatalf("rawjson line %q: %v", line, err)
		}
		statuses++
	}
	if statuses == 0 {
		t.Errorf("BUILDKIT_PROGRESS=rawjson printed no JSON status:\n%s", out)
	}

	code, out = cliRun(t, dir, map[string]string{"BUILDKIT_PROGRESS": "rawjson"}, "--progress=quiet")
	if code != exitOK || strings.Contains(out.String(), "{") {
		t.Errorf("--progress=quiet must beat BUILDKIT_PROGRESS: exit %d\n%s", code, out)
	}
}

// containerd's local content store, which reads an oci-layout:// context,
// warns through logrus on a file system without fs-verity (most of them,
// this machine's included): the warning stays out of the terminal, where
// it landed in the middle of the progress, unless --debug.
func TestNoFsverityWarningWithoutDebug(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	bake := func(target string) {
		t.Helper()
		code, out := cliRun(t, dir, nil, target, "--progress=quiet")
		if code != exitOK || strings.Contains(out.String(), "fsverity") || strings.Contains(out.String(), "level=") {
			t.Fatalf("%s: exit %d, want 0 and no library warnings:\n%s", target, code, out)
		}
	}
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "base" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo fsverity > /f\n"
  output = ["type=oci,dest=layout,tar=false"]
}
`)
	bake("base")
	dt, err := os.ReadFile(filepath.Join(dir, "layout", "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(dt, &idx); err != nil || len(idx.Manifests) != 1 {
		t.Fatalf("layout index %s: %v", dt, err)
	}
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM base\nRUN cat /f\n"
  contexts = { base = "oci-layout://./layout@`+idx.Manifests[0].Digest.String()+`" }
  output = ["type=cacheonly"]
}
`)
	bake("app")
}
