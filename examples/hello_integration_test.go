package examples_test

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/xbake/xbake/executor/executortest"
)

// TestHelloOnStack builds examples/hello for its three platforms with the
// real CLI on the local stack, then checks what the registry holds and
// runs each platform's binary (arm64 and arm through QEMU user mode).
func TestHelloOnStack(t *testing.T) {
	stack := executortest.Stack(t)
	bin := xbakeBinary(t)
	tag := stack.Repo(t) + ":test"

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-f", "examples/hello/xbuild.hcl", "hello",
		"--push", "--progress", "plain", "--set", "hello.tags="+tag)
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "BUILDKIT_HOST="+stack.BuildKitHost)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
	t.Logf("%s\n%s", strings.Join(cmd.Args, " "), summary(out))

	ref, err := name.ParseReference(tag)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := remote.Index(ref, remote.WithContext(ctx))
	if err != nil {
		t.Fatalf("%s is not an index: %v", tag, err)
	}
	im, err := idx.IndexManifest()
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"linux/amd64":  "Hello, amd64!",
		"linux/arm64":  "Hello, arm64!",
		"linux/arm/v7": "Hello, arm!",
	}
	var got []string
	for _, d := range im.Manifests {
		if d.Platform == nil {
			t.Errorf("manifest %s has no platform in the index", d.Digest)
			continue
		}
		got = append(got, d.Platform.String())
	}
	slices.Sort(got)
	if wantPlats := []string{"linux/amd64", "linux/arm/v7", "linux/arm64"}; !slices.Equal(got, wantPlats) {
		t.Fatalf("index platforms = %q, want exactly %q", got, wantPlats)
	}

	dir := t.TempDir()
	for _, d := range im.Manifests {
		plat := d.Platform.String()
		t.Run(plat, func(t *testing.T) {
			img, err := idx.Image(d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			cf, err := img.ConfigFile()
			if err != nil {
				t.Fatal(err)
			}
			if cf.OS != d.Platform.OS || cf.Architecture != d.Platform.Architecture || cf.Variant != d.Platform.Variant {
				t.Errorf("config says %s/%s variant %q; the index says %s", cf.OS, cf.Architecture, cf.Variant, plat)
			}
			if !slices.Equal(cf.Config.Entrypoint, []string{"/hello"}) {
				t.Errorf("entrypoint = %q, want [/hello]", cf.Config.Entrypoint)
			}
			file := filepath.Join(dir, strings.ReplaceAll(plat, "/", "-"))
			if err := extractFile(img, "hello", file); err != nil {
				t.Fatal(err)
			}
			run, how := runner(t, d.Platform, file)
			if run == nil {
				t.Skipf("cannot run a %s binary on %s/%s", plat, runtime.GOOS, runtime.GOARCH)
			}
			out, err := run.CombinedOutput()
			if err != nil {
				t.Fatalf("%s: %v\n%s", how, err, out)
			}
			if got := strings.TrimSpace(string(out)); got != want[plat] {
				t.Errorf("%s printed %q, want %q", how, got, want[plat])
			}
		})
	}
}

// runner returns a command that runs a binary of platform p: natively on
// the host's architecture, otherwise through QEMU user mode.
func runner(t *testing.T, p *v1.Platform, file string) (*exec.Cmd, string) {
	t.Helper()
	if p.OS != runtime.GOOS {
		return nil, ""
	}
	if p.Architecture == runtime.GOARCH {
		return exec.Command(file), file
	}
	qemu := map[string]string{"arm64": "qemu-aarch64-static", "arm": "qemu-arm-static", "amd64": "qemu-x86_64-static"}[p.Architecture]
	if qemu == "" {
		return nil, ""
	}
	path, err := exec.LookPath(qemu)
	if err != nil {
		// The stack registers QEMU in binfmt_misc, which runs the binary
		// directly; the explicit emulator is only clearer in errors.
		t.Logf("%s not on PATH; running %s through binfmt_misc", qemu, file)
		return exec.Command(file), file + " (binfmt_misc)"
	}
	return exec.Command(path, file), qemu + " " + file
}

// extractFile writes the regular file want (a path without the leading
// "/") of img's flattened file system to dest.
func extractFile(img v1.Image, want, dest string) error {
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("the image has no /%s", want)
		}
		if err != nil {
			return err
		}
		if strings.TrimPrefix(h.Name, "/") != want || h.Typeflag != tar.TypeReg {
			continue
		}
		f, err := os.OpenFile(dest, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

// summary is the summary table at the end of xbake's output.
func summary(out []byte) string {
	s := string(out)
	if i := strings.LastIndex(s, "\nNODE "); i >= 0 {
		return s[i+1:]
	}
	return s
}

var xbakeBuild struct {
	once sync.Once
	dir  string
	bin  string
	err  error
	out  []byte
}

// xbakeBinary builds cmd/xbake once per test binary; TestMain removes it.
func xbakeBinary(t *testing.T) string {
	t.Helper()
	b := &xbakeBuild
	b.once.Do(func() {
		b.dir, b.err = os.MkdirTemp("", "xbake-examples-")
		if b.err != nil {
			return
		}
		b.bin = filepath.Join(b.dir, "xbake")
		cmd := exec.Command(goTool(), "build", "-o", b.bin, "./cmd/xbake")
		cmd.Dir = repoRoot
		b.out, b.err = cmd.CombinedOutput()
	})
	if b.err != nil {
		t.Fatalf("go build ./cmd/xbake: %v\n%s", b.err, b.out)
	}
	return b.bin
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return filepath.Join(runtime.GOROOT(), "bin", "go")
}

func TestMain(m *testing.M) {
	code := m.Run()
	if xbakeBuild.dir != "" {
		os.RemoveAll(xbakeBuild.dir)
	}
	os.Exit(code)
}
