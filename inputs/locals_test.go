package inputs_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/inputs"
)

func str(s string) *string { return &s }

var amd64 = ocispec.Platform{OS: "linux", Architecture: "amd64"}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The ignore file of each local directory is the one BuildKit's
// Dockerfile frontend reads: the Dockerfile's own before the context's,
// and a named context's own.
func TestSources(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "app/.dockerignore", "*.log\n")
	write(t, dir, "docker/app.Dockerfile", "FROM scratch\n")
	write(t, dir, "docker/app.Dockerfile.dockerignore", "*.tmp\n!keep.tmp\n")
	write(t, dir, "shared/.dockerignore", "")
	tg := &bake.Target{Name: "app", Context: str("app"), Dockerfile: str("../docker/app.Dockerfile"),
		Contexts: map[string]string{"shared": "shared", "other": "other", "img": "docker-image://x", "dep": "target:dep"}}
	r, err := inputs.Of(tg, amd64, dir)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Sources(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := []inputs.Local{
		{Mount: "context", Dir: dir + "/app", IgnoreFile: dir + "/docker/app.Dockerfile.dockerignore", Excludes: []string{"*.tmp", "!keep.tmp"}},
		{Mount: "ctx-other", Dir: dir + "/other", IgnoreFile: dir + "/other/.dockerignore"},
		{Mount: "ctx-shared", Dir: dir + "/shared", IgnoreFile: dir + "/shared/.dockerignore", Excludes: []string{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	if got := r.Dockerfiles(); !cmp.Equal(got, []string{dir + "/docker/app.Dockerfile"}) {
		t.Errorf("dockerfiles %q", got)
	}

	// Without the Dockerfile's ignore file, the context's; "Dockerfile"
	// falls back to "dockerfile".
	r, err = inputs.Of(&bake.Target{Name: "app", Context: str("app")}, amd64, dir)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := r.Sources(nil); len(got) != 1 || got[0].IgnoreFile != dir+"/app/.dockerignore" || !cmp.Equal(got[0].Excludes, []string{"*.log"}) {
		t.Errorf("sources %+v", got)
	}
	if got := r.Dockerfiles(); !cmp.Equal(got, []string{dir + "/app/Dockerfile", dir + "/app/dockerfile"}) {
		t.Errorf("dockerfiles %q", got)
	}
	// An inline Dockerfile has no file, and no ignore file of its own.
	r, _ = inputs.Of(&bake.Target{Name: "app", Context: str("app"), DockerfileInline: str("FROM scratch\n")}, amd64, dir)
	if got := r.Dockerfiles(); got != nil || string(r.InlineDockerfile) != "FROM scratch\n" {
		t.Errorf("inline: dockerfiles %q, inline %q", got, r.InlineDockerfile)
	}
}

// An ignore file that is a FIFO is refused at once, not waited on.
func TestSourcesFIFO(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, ".dockerignore"), 0o644); err != nil {
		t.Skip("no FIFO here:", err)
	}
	r, err := inputs.Of(&bake.Target{Name: "app"}, amd64, dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Sources(nil); err == nil || !strings.Contains(err.Error(), "is not a regular file") {
		t.Errorf("error %v", err)
	}
}
