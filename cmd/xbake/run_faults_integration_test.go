package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/executor/oci/ocitest"
)

// cliRunSplit is cliRun with stdout apart from stderr.
func cliRunSplit(t *testing.T, dir string, args ...string) (code int, stdout *bytes.Buffer, stderr *syncBuffer) {
	t.Helper()
	stdout, stderr = &bytes.Buffer{}, &syncBuffer{}
	a := &app{
		stdin: strings.NewReader(""), stdout: stdout, stderr: stderr,
		getenv:  func(k string) string { return map[string]string{"BUILDKIT_HOST": os.Getenv("BUILDKIT_HOST")}[k] },
		environ: func() []string { return []string{"BUILDKIT_HOST=" + os.Getenv("BUILDKIT_HOST")} },
		getwd:   func() (string, error) { return dir, nil },
	}
	return run(a, args), stdout, stderr
}

// type=tar,dest=- writes the tarball to stdout, as buildx does; two
// outputs there are refused before anything is built.
func TestRunOutputToStdout(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo hello > /hello\n"
  output = ["type=tar,dest=-"]
}
target "other" {
  inherits = ["app"]
  args = { X = "1" }
}
`)
	code, stdout, stderr := cliRunSplit(t, dir, "app", "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	var names []string
	tr := tar.NewReader(stdout)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("stdout is not a tarball: %v", err)
		}
		if h.Name == "hello" {
			b, _ := io.ReadAll(tr)
			names = append(names, h.Name+"="+string(b))
		}
	}
	if len(names) != 1 || names[0] != "hello=hello\n" {
		t.Errorf("hello in the tarball on stdout: %q", names)
	}
	if !strings.Contains(stderr.String(), "app@linux/amd64") || !strings.Contains(stderr.String(), "stdout") {
		t.Errorf("the summary should say the output went to stdout:\n%s", stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "-")); err == nil {
		t.Error(`a file named "-" was written`)
	}

	code, stdout, stderr = cliRunSplit(t, dir, "app", "other", "--progress=quiet")
	want := "xbake: several outputs write to standard output (dest=-): app@linux/amd64 (type=tar), other@linux/amd64 (type=tar); one tarball at most can go there: set dest to a file for the others\n"
	if code != exitUsage || stderr.String() != want || stdout.Len() != 0 {
		t.Errorf("two outputs on stdout: exit %d, stdout %d bytes, stderr %q; want %d and %q", code, stdout.Len(), stderr, exitUsage, want)
	}
}

// The registry refuses the index's second tag: the first has moved. The
// summary shows the index node failed with the tag it published, the
// error names both, and the metadata file, written although the run
// failed, records the tag that moved and the failure.
func TestRunSecondTagRefused(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	p := ocitest.NewProxy(t, env.Registry, ocitest.Rule{Method: http.MethodPut, Path: "/manifests/v2$", Fault: ocitest.Denied})
	repo := p.Swap(env.Repo(t))
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN uname -m > /arch\n"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["`+repo+`:v1", "`+repo+`:v2"]
  output = ["type=registry,registry.insecure=true"]
}
`)
	code, out := cliRun(t, dir, nil, "app", "--progress=quiet", "--metadata-file", "meta.json")
	if code != exitFailure {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	moved, err := oci.NewClient().Inspect(context.Background(), strings.Replace(repo, p.Host, env.Registry, 1)+":v1")
	if err != nil {
		t.Fatalf("v1 did not move: %v", err)
	}
	if _, err := oci.NewClient().Inspect(context.Background(), strings.Replace(repo, p.Host, env.Registry, 1)+":v2"); err == nil {
		t.Error("v2 exists although the registry refused it")
	}

	var row string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "app#index ") {
			row = strings.Join(strings.Fields(l), " ")
		}
	}
	if want := " " + moved.Digest.Encoded()[:12] + " " + repo + ":v1"; !strings.HasPrefix(row, "app#index - failed ") || !strings.HasSuffix(row, want) {
		t.Errorf("summary row %q, want app#index - failed ...%s\n%s", row, want, out)
	}
	for _, want := range []string{"pushing " + repo + ":v2", "DENIED", "tags already pointing at " + moved.Digest.String() + ": [" + repo + ":v1]"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	var meta map[string]map[string]any
	dt, err := os.ReadFile(filepath.Join(dir, "meta.json"))
	if err != nil {
		t.Fatalf("no metadata file after a failed run: %v", err)
	}
	if err := json.Unmarshal(dt, &meta); err != nil {
		t.Fatalf("%v\n%s", err, dt)
	}
	app := meta["app"]
	failed, _ := app["xbake.failed"].(map[string]any)
	msg, _ := failed["app#index"].(string)
	if app["image.name"] != repo+":v1" || app["containerimage.digest"] != moved.Digest.String() || !strings.Contains(msg, "DENIED") || len(failed) != 1 {
		t.Errorf("metadata: image.name %v, containerimage.digest %v, xbake.failed %v; want %s:v1 at %s, and the refusal",
			app["image.name"], app["containerimage.digest"], app["xbake.failed"], repo, moved.Digest)
	}
}

// A registry that accepts the index's manifest and never answers: the
// run ends with an error naming the tag and the registry, instead of
// waiting forever; nothing else is affected.
func TestRunIndexPushHang(t *testing.T) {
	env := executortest.Stack(t)
	shortTimeouts(t)
	dir := t.TempDir()
	p := ocitest.NewProxy(t, env.Registry, ocitest.Rule{Method: http.MethodPut, Path: "/manifests/latest$", Fault: ocitest.Hang})
	repo := p.Swap(env.Repo(t))
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN uname -m > /arch\n"
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["`+repo+`:latest"]
  output = ["type=registry,registry.insecure=true"]
}
`)
	code, out := cliRun(t, dir, nil, "app", "--progress=quiet", "--retries=1")
	want := "app#index: output type=registry: no tag was written: pushing " + repo + ":latest: giving up after 2 attempts: "
	if code != exitFailure || !strings.Contains(out.String(), want) || !strings.Contains(out.String(), p.Host+" sent nothing for 2s") {
		t.Errorf("exit %d, want 1 with %q ... sent nothing for 2s\n%s", code, want, out)
	}
}
