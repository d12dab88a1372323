package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/xbake/xbake/executor/executortest"
)

// syncBuffer is a bytes.Buffer safe for the progress goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// cliRun runs the real CLI in-process in dir with env added to the stack's.
func cliRun(t *testing.T, dir string, env map[string]string, args ...string) (int, *syncBuffer) {
	t.Helper()
	out := &syncBuffer{}
	vars := map[string]string{}
	for _, k := range []string{"BUILDKIT_HOST", "PATH", "HOME"} {
		vars[k] = os.Getenv(k)
	}
	for k, v := range env {
		vars[k] = v
	}
	a := &app{
		stdin:  strings.NewReader(""),
		stdout: out,
		stderr: out,
		getenv: func(k string) string { return vars[k] },
		environ: func() []string {
			var kv []string
			for k, v := range vars {
				kv = append(kv, k+"="+v)
			}
			return kv
		},
		getwd: func() (string, error) { return dir, nil },
	}
	return run(a, args), out
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// A secret from the environment never shows: not in plain progress, not
// in the error of a failing step that prints it, not in metadata.
func TestRunSecretsNeverShown(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	const token = "s3cr3t-t0ken-value-xyz"
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "ok" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN --mount=type=secret,id=tok cat /run/secrets/tok && echo\n"
  secret = ["id=tok,env=XBAKE_TEST_TOKEN"]
  no-cache = true
}
target "leak" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN --mount=type=secret,id=tok echo leaking $(cat /run/secrets/tok) && exit 1\n"
  secret = ["id=tok,env=XBAKE_TEST_TOKEN"]
}
`)
	vars := map[string]string{"XBAKE_TEST_TOKEN": token}
	code, out := cliRun(t, dir, vars, "ok", "--progress=plain", "--metadata-file", "meta.json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	meta, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), token) || strings.Contains(string(meta), token) {
		t.Errorf("the secret leaked:\n%s\n%s", out, meta)
	}
	if !strings.Contains(out.String(), "****") {
		t.Errorf("the step's output should show the redacted secret:\n%s", out)
	}

	code, out = cliRun(t, dir, vars, "leak", "--progress=plain", "--metadata-file", "meta2.json")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if strings.Contains(out.String(), token) {
		t.Errorf("the secret leaked from a failing build:\n%s", out)
	}
	// The metadata of a failed run records the failure, redacted too.
	if meta2, err := os.ReadFile(filepath.Join(dir, "meta2.json")); err != nil || strings.Contains(string(meta2), token) || !strings.Contains(string(meta2), `"leak@linux/amd64"`) {
		t.Errorf("metadata of the failed run (%v):\n%s", err, meta2)
	}
	for _, want := range []string{"leak@linux/amd64", "failed", "xbuild.hcl:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// BuildKit sends a step's output in chunks of about 32 KiB: a secret
// printed across the end of one (here after 32,760 bytes of one line, and
// a 40 KiB one-line secret file) is hidden all the same, in the progress
// and in the failing step's logs the display repeats at the end.
func TestRunSecretsAcrossLogChunks(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	const small = "TopSecretSmallFile42"
	long := strings.Repeat("L0ngS3cret-", 40<<10/11)
	writeFile(t, filepath.Join(dir, "small.secret"), small)
	writeFile(t, filepath.Join(dir, "long.secret"), long)
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "chunks" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN --mount=type=secret,id=small --mount=type=secret,id=long (head -c 32760 /dev/zero | tr '\\0' x; cat /run/secrets/small; echo; cat /run/secrets/long; echo) > /tmp/o; cat /tmp/o; false\n"
  secret = ["id=small,src=small.secret", "id=long,src=long.secret"]
  no-cache = true
}
`)
	code, out := cliRun(t, dir, nil, "chunks", "--progress=plain")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if strings.Contains(out.String(), small) || strings.Contains(out.String(), long[:64]) {
		t.Errorf("a secret leaked:\n%s", out)
	}
	if n := strings.Count(out.String(), "****"); n < 2 {
		t.Errorf("the step's output should show both secrets redacted (%d ****):\n%.2000s", n, out)
	}
}

// The metadata file has buildx's keys and xbake's platforms; the summary
// lists every node.
func TestRunMetadataAndSummary(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := env.Repo(t)
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN uname -m > /arch\n"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["`+repo+`:v1"]
}
`)
	code, out := cliRun(t, dir, nil, "app", "--push", "--progress=quiet", "--metadata-file", "meta.json")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, want := range []string{"NODE", "app@linux/amd64", "app@linux/arm64", "app#index", repo + ":v1"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	var meta map[string]map[string]any
	dt, _ := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err := json.Unmarshal(dt, &meta); err != nil {
		t.Fatalf("%v\n%s", err, dt)
	}
	app := meta["app"]
	if d, _ := app["containerimage.digest"].(string); !strings.HasPrefix(d, "sha256:") {
		t.Errorf("containerimage.digest = %v", app["containerimage.digest"])
	}
	if _, ok := app["containerimage.descriptor"].(map[string]any); !ok {
		t.Errorf("containerimage.descriptor is not decoded: %v", app["containerimage.descriptor"])
	}
	if app["image.name"] != repo+":v1" {
		t.Errorf("image.name = %v", app["image.name"])
	}
	plats, _ := app["xbake.platforms"].(map[string]any)
	if len(plats) != 2 {
		t.Errorf("xbake.platforms = %v", app["xbake.platforms"])
	}
}

// Entitlements: a build that asks for network.host or writes outside the
// working directory is refused (nothing built) and the error says which
// --allow to add.
func TestRunEntitlements(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	outside := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\n"
  output = ["type=local,dest=`+outside+`/out"]
}
target "net" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\n"
  network = "host"
}
`)
	code, out := cliRun(t, dir, nil, "app", "net", "--progress=quiet")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, out)
	}
	for _, want := range []string{"--allow network.host", "--allow fs.write=" + outside + "/out"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("error lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(outside, "out")); err == nil {
		t.Error("something was built")
	}
	code, out = cliRun(t, dir, nil, "app", "net", "--progress=quiet", "--allow", "fs.write="+outside, "--allow", "network.host")
	if code != 0 {
		t.Fatalf("with --allow: exit %d\n%s", code, out)
	}
}

// Ctrl-C cancels the build and exits 130.
func TestRunInterruptExits130(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN sleep 60\n"
  no-cache = true
}
`)
	done := make(chan struct{})
	var code int
	var out *syncBuffer
	outc := make(chan *syncBuffer, 1)
	go func() {
		defer close(done)
		var o *syncBuffer
		code, o = cliRunWatch(t, dir, outc, "app", "--progress=plain")
		out = o
	}()
	o := <-outc
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(o.String(), "RUN sleep 60") && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	start := time.Now()
	syscall.Kill(os.Getpid(), syscall.SIGINT)
	<-done
	if code != 130 {
		t.Fatalf("exit %d, want 130\n%s", code, out)
	}
	if took := time.Since(start); took > 3*time.Second {
		t.Errorf("exit took %s after the interrupt", took)
	}
	if !strings.Contains(out.String(), "canceled") {
		t.Errorf("the summary should show canceled nodes:\n%s", out)
	}
}

func cliRunWatch(t *testing.T, dir string, outc chan<- *syncBuffer, args ...string) (int, *syncBuffer) {
	out := &syncBuffer{}
	outc <- out
	a := &app{
		stdin: strings.NewReader(""), stdout: out, stderr: out,
		getenv:  os.Getenv,
		environ: os.Environ,
		getwd:   func() (string, error) { return dir, nil },
	}
	return run(a, args), out
}

// A push the registry refuses for lack of credentials says how to give
// them, naming the registry; with them in DOCKER_CONFIG it succeeds.
func TestRunPushNeedsCredentials(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo auth > /auth\n"
  tags   = ["`+env.AuthRegistry+`/xbake-test/needs-creds:latest"]
  output = ["type=image,push=true"]
}
`)
	code, out := cliRun(t, dir, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "--progress=quiet")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if want := `run "docker login ` + env.AuthRegistry + `"`; !strings.Contains(out.String(), want) {
		t.Errorf("the error lacks %q:\n%s", want, out)
	}
	cfg := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(env.AuthUser + ":" + env.AuthPassword))
	writeFile(t, filepath.Join(cfg, "config.json"), `{"auths":{"`+env.AuthRegistry+`":{"auth":"`+auth+`"}}}`)
	if code, out := cliRun(t, dir, map[string]string{"DOCKER_CONFIG": cfg}, "--progress=quiet"); code != 0 {
		t.Fatalf("with credentials: exit %d\n%s", code, out)
	}
	if strings.Contains(out.String(), env.AuthPassword) {
		t.Error("the password was printed")
	}
}
