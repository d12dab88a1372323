package examples_test

import (
	"context"
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
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/xbake/xbake/executor/executortest"
)

// TestHelloOnStack builds examples/hello for its three platforms with the
// real CLI on the local stack, then checks what the registry holds and
// runs each platform's binary (arm64 and arm through QEMU user mode).
func TestHelloOnStack(t *testing.T) {
	stack := executortest.Stack(t)
	bin := tool(t, "xbake")
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
	// The example's test block ran /hello in each platform's image before
	// the index was pushed.
	for plat, greeting := range map[string]string{"linux/amd64": "Hello, amd64!", "linux/arm64": "Hello, arm64!", "linux/arm/v7": "Hello, arm!"} {
		if want := "test hello: hello@" + plat + " passed in "; !strings.Contains(string(out), want) || !strings.Contains(string(out), greeting) {
			t.Errorf("output lacks %q with %q", want, greeting)
		}
	}

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
	// Besides its images, the index holds buildx's default provenance: one
	// attestation manifest per image.
	im.Manifests = slices.DeleteFunc(im.Manifests, func(d v1.Descriptor) bool {
		return d.Annotations["vnd.docker.reference.type"] == "attestation-manifest"
	})
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
			// The demo's own tool takes the binary out, so the test covers it too.
			file := filepath.Join(dir, strings.ReplaceAll(plat, "/", "-"))
			if out, err := exec.Command(tool(t, "imgpeek"), "extract", "-platform", plat, "-o", file, tag, "/hello").CombinedOutput(); err != nil {
				t.Fatalf("imgpeek extract: %v\n%s", err, out)
			}
			run, how := runner(t, d.Platform, file)
			if run == nil {
				if os.Getenv("CI") != "" {
					t.Fatalf("cannot run a %s binary on %s/%s", plat, runtime.GOOS, runtime.GOARCH)
				}
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

// TestHelloEmulatedAdvice: xbake --plan --explain names the RUN step of
// hello-emulated that runs under QEMU, its line and stage, and the way to
// cross-compile it, without building; the base image it pulls (the
// stack's Go image) offers both platforms.
func TestHelloEmulatedAdvice(t *testing.T) {
	stack := executortest.Stack(t)
	cmd := exec.Command(tool(t, "xbake"), "-f", "examples/hello/xbuild.hcl", "--plan", "--explain", "--builder-platforms", "linux/amd64", "hello-emulated")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "BUILDKIT_HOST="+stack.BuildKitHost)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := `On a builder of linux/amd64: 2 solves, 1 native, 0 cross-compiled, 1 emulated.

examples/hello/Dockerfile:32, stage build-emulated: under QEMU for linux/arm64
  RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hello main.go
  in hello-emulated@linux/arm64
  go build under QEMU: cross-compile: FROM --platform=$BUILDPLATFORM golang, ARG TARGETOS TARGETARCH TARGETVARIANT, RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build, then COPY --from the binary into the target stage
`
	if string(out) != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
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

// summary is the summary table at the end of xbake's output.
func summary(out []byte) string {
	s := string(out)
	if i := strings.LastIndex(s, "\nNODE "); i >= 0 {
		return s[i+1:]
	}
	return s
}

// tools are the programs the tests run, built once per test binary into
// toolDir; TestMain removes it.
var (
	toolsMu sync.Mutex
	toolDir string
	tools   = map[string]string{}
)

// tool builds cmd/xbake ("xbake") or scripts/NAME once and returns its path.
func tool(t *testing.T, name string) string {
	t.Helper()
	toolsMu.Lock()
	defer toolsMu.Unlock()
	if bin, ok := tools[name]; ok {
		return bin
	}
	if toolDir == "" {
		dir, err := os.MkdirTemp("", "xbake-examples-")
		if err != nil {
			t.Fatal(err)
		}
		toolDir = dir
	}
	pkg := "./scripts/" + name
	if name == "xbake" {
		pkg = "./cmd/xbake"
	}
	bin := filepath.Join(toolDir, name)
	cmd := exec.Command(goTool(), "build", "-o", bin, pkg)
	cmd.Dir = repoRoot
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build %s: %v\n%s", pkg, err, out)
	}
	tools[name] = bin
	return bin
}

func goTool() string {
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	return "/usr/local/go/bin/go" // where the machine's Go lives
}

func TestMain(m *testing.M) {
	code := m.Run()
	if toolDir != "" {
		os.RemoveAll(toolDir)
	}
	os.Exit(code)
}
