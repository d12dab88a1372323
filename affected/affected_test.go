package affected_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/xbake/xbake/affected"
	"github.com/xbake/xbake/bake"
)

func str(s string) *string { return &s }

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

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

// A changed file counts when the build would send it: .dockerignore
// exceptions (!) bring files back, as BuildKit's walk does; a change to
// an ignore file counts, the Dockerfile's own ignore file too, also when
// it is deleted.
func TestSelectFiles(t *testing.T) {
	for _, tt := range []struct {
		name   string
		change func(t *testing.T, dir string)
		want   string // why app is affected; "" when it is not
	}{
		{"an excluded file", func(t *testing.T, dir string) { write(t, dir, "app/logs/a.log", "x") }, ""},
		{"a file an exception brings back", func(t *testing.T, dir string) { write(t, dir, "app/logs/keep.log", "y") }, "app/logs/keep.log changed"},
		{"the ignore file", func(t *testing.T, dir string) { write(t, dir, "app/.dockerignore", "logs\n") }, "app/.dockerignore changed"},
		{"the Dockerfile's ignore file, deleted", func(t *testing.T, dir string) {
			if err := os.Remove(filepath.Join(dir, "app/Dockerfile.dockerignore")); err != nil {
				t.Fatal(err)
			}
		}, "app/Dockerfile.dockerignore changed"},
		{"the Dockerfile", func(t *testing.T, dir string) { write(t, dir, "app/Dockerfile", "FROM scratch\n") }, "app/Dockerfile changed"},
		{"another folder", func(t *testing.T, dir string) { write(t, dir, "other/x", "x") }, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, "app/Dockerfile", "FROM base\n")
			write(t, dir, "app/Dockerfile.dockerignore", "logs\n!logs/keep.log\n")
			write(t, dir, "app/.dockerignore", "")
			write(t, dir, "app/logs/keep.log", "x")
			git(t, dir, "init", "-q", "-b", "main")
			git(t, dir, "add", "-A")
			git(t, dir, "commit", "-qm", "init")
			tt.change(t, dir)
			ch, err := affected.Since(context.Background(), dir, "HEAD")
			if err != nil {
				t.Fatal(err)
			}
			app := &bake.Target{Name: "app", Context: str("app")}
			sel, err := affected.Select(&bake.Definition{Targets: []*bake.Target{app}}, map[string]string{"app": affected.DefinitionKey(app)}, ch, dir)
			if err != nil {
				t.Fatal(err)
			}
			if got := sel.Why["app"]; got != tt.want {
				t.Errorf("why %q, want %q", got, tt.want)
			}
			if affectedNow := slices.Contains(sel.Targets, "app"); affectedNow != (tt.want != "") {
				t.Errorf("selected %q", sel.Targets)
			}
		})
	}
}

func TestSinceWithoutGit(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := affected.Since(context.Background(), t.TempDir(), "main")
	if err == nil || err.Error() != "--affected-since needs git, which is not on PATH" {
		t.Errorf("error %v", err)
	}
}
