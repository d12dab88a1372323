package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// pushTwoPlatformBase makes REPO/base:1 on the stack's registry: an index
// of the busybox base image's linux/amd64 and linux/arm64 manifests only,
// as many real base images are (no linux/arm/v7).
func pushTwoPlatformBase(t *testing.T, env executortest.StackEnv, repo string) string {
	t.Helper()
	c := oci.NewClient()
	in, err := c.Inspect(t.Context(), env.Registry+"/xbake/busybox")
	if err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, m := range in.Manifests {
		if p := m.Platform; p != nil && !m.Attestation && (platforms.Format(*p) == "linux/amd64" || platforms.Format(*p) == "linux/arm64") {
			refs = append(refs, m.Name)
		}
	}
	if len(refs) != 2 {
		t.Fatalf("busybox base: %d of linux/amd64 and linux/arm64, want 2: %+v", len(refs), in.Manifests)
	}
	base := repo + "/base:1"
	if _, err := c.Create(t.Context(), []string{base}, refs, nil); err != nil {
		t.Fatal(err)
	}
	return base
}

// The base-image check on the real registry: a target that pulls an image
// for linux/arm/v7, which it lacks, fails before anything is built, at the
// FROM line, with the platforms the image has; the target's tag is never
// written. Its fix, FROM --platform=$BUILDPLATFORM in a stage that only
// gives files, is suggested, and builds.
func TestRunPreflightMissingPlatform(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := env.Repo(t)
	base := pushTwoPlatformBase(t, env, repo)
	writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM "+base+" AS tools\nRUN echo built > /out\nFROM "+env.Registry+"/xbake/busybox\nCOPY --from=tools /out /out\n")
	writeFile(t, filepath.Join(dir, "fixed.Dockerfile"), "FROM --platform=$BUILDPLATFORM "+base+" AS tools\nRUN echo built > /out\nFROM "+env.Registry+"/xbake/busybox\nCOPY --from=tools /out /out\n")
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "app" {
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  tags      = ["`+repo+`/app:v1"]
  output    = ["type=registry"]
}
target "fixed" {
  inherits   = ["app"]
  dockerfile = "fixed.Dockerfile"
  tags       = ["`+repo+`/fixed:v1"]
}
`)
	code, out := cliRun(t, dir, nil, "app", "--progress=plain")
	if code != 2 {
		t.Fatalf("exit %d, want 2\n%s", code, out)
	}
	want := `Dockerfile:1:1: error: Base image has no linux/arm/v7
	FROM ` + base + ` (stage tools) is pulled for linux/arm/v7 by target "app" (xbuild.hcl:2:8), but the image offers linux/amd64, linux/arm64.
	The stage only gives files to other stages: FROM --platform=$BUILDPLATFORM ` + base + ` runs it on the builder's platform for every target platform (then build for $TARGETPLATFORM, as cross-compilers do).
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
	if _, err := oci.NewClient().Inspect(t.Context(), repo+"/app:v1"); err == nil {
		t.Errorf("%s/app:v1 was published", repo)
	}

	// The suggested fix passes the check and builds for all three.
	if code, out := cliRun(t, dir, nil, "fixed", "--progress=quiet"); code != 0 {
		t.Fatalf("fixed: exit %d\n%s", code, out)
	}
	// --no-preflight builds without looking: BuildKit fails in the
	// middle of the build instead.
	if code, out := cliRun(t, dir, nil, "app", "--progress=quiet", "--no-preflight"); code != 1 || !strings.Contains(out.String(), "no match for platform") {
		t.Errorf("--no-preflight: exit %d, want 1 with BuildKit's error\n%s", code, out)
	}

	// An image that COPY --from reads is pulled for the target platform,
	// even in a stage on the builder's: BuildKit agrees.
	writeFile(t, filepath.Join(dir, "copy.Dockerfile"), "FROM --platform=$BUILDPLATFORM "+env.Registry+"/xbake/busybox AS b\nCOPY --from="+base+" /bin/busybox /x\nFROM scratch\nCOPY --from=b /x /x\n")
	writeFile(t, filepath.Join(dir, "copy.hcl"), `target "copy" {
  dockerfile = "copy.Dockerfile"
  platforms  = ["linux/arm/v7"]
}
`)
	code, out = cliRun(t, dir, nil, "-f", "copy.hcl", "copy", "--progress=quiet")
	if want := "copy.Dockerfile:2:1: error: Base image has no linux/arm/v7\n\t--from=" + base + " (stage b) is pulled for linux/arm/v7"; code != 2 || !strings.HasPrefix(out.String(), want) {
		t.Errorf("COPY --from: exit %d, want 2 and %q\n%s", code, want, out)
	}
	if code, out := cliRun(t, dir, nil, "-f", "copy.hcl", "copy", "--progress=quiet", "--no-preflight"); code != 1 || !strings.Contains(out.String(), "no match for platform") {
		t.Errorf("COPY --from, --no-preflight: exit %d, want 1 with BuildKit's error\n%s", code, out)
	}
}

// An ARG-indirected FROM --platform on the real builder: the planner
// reads the Dockerfile with BuildKit's parser, and what it says (cross or
// emulated) is where BuildKit ran the RUN step, as the built files show.
func TestRunArgPlatformClassified(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "Dockerfile"), `ARG BUILDER=$BUILDPLATFORM
FROM --platform=$BUILDER `+env.Registry+`/xbake/busybox AS build
RUN uname -m > /arch
FROM scratch
COPY --from=build /arch /arch
`)
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "cross" {
  platforms = ["linux/arm64"]
  output    = ["type=local,dest=out-cross"]
}
target "emulated" {
  inherits = ["cross"]
  args     = { BUILDER = "linux/arm64" }
  output   = ["type=local,dest=out-emulated"]
}
`)
	code, out := cliRun(t, dir, nil, "cross", "emulated", "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for id, exec := range map[string]string{"cross@linux/arm64": "cross", "emulated@linux/arm64": "emulated"} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(id) + `\s+\S+\s+\w+\s+` + exec + `\s`).MatchString(out.String()) {
			t.Errorf("%s is not %s in the summary:\n%s", id, exec, out)
		}
	}
	for dest, arch := range map[string]string{"out-cross": "x86_64", "out-emulated": "aarch64"} {
		b, err := os.ReadFile(filepath.Join(dir, dest, "arch"))
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.TrimSpace(string(b)); got != arch {
			t.Errorf("%s: the RUN step ran on %s, want %s", dest, got, arch)
		}
	}
	if !strings.Contains(out.String(), "emulated emulated@linux/arm64: ") || !strings.Contains(out.String(), "Dockerfile:3, stage build: under QEMU for linux/arm64") {
		t.Errorf("the summary does not name the emulated step:\n%s", out)
	}
}

// A smoke test that fails on one platform only (uname -m under QEMU): the
// run exits 1, says which test failed where and with what output, the
// TEST column shows each solve's result, and the tag stays on the image
// of the previous run.
func TestRunSmokeTestGatesTag(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := env.Repo(t)
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
variable "V" { default = "1" }
target "app" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nARG V\nRUN echo $V > /v\n"
  args      = { V = V }
  platforms = ["linux/amd64", "linux/arm64"]
  tags      = ["`+repo+`/app:v1"]
  output    = ["type=registry"]
}
test "not-on-arm64" {
  target  = "app"
  command = ["uname", "-m"]
  expect  = "x86_64|armv7l"
}
`)
	tagged := func() digest.Digest {
		in, err := oci.NewClient().Inspect(context.Background(), repo+"/app:v1")
		if err != nil {
			t.Fatal(err)
		}
		return in.Digest
	}
	if code, out := cliRun(t, dir, map[string]string{"V": "1"}, "app", "--progress=quiet", "--no-test"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	before := tagged()

	// A value never built before, so that the RUN step runs (under QEMU
	// for arm64) and its time is measured.
	code, out := cliRun(t, dir, map[string]string{"V": time.Now().Format(time.RFC3339Nano)}, "app", "--progress=plain", "--keep-going")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	if got := tagged(); got != before {
		t.Errorf("the tag moved to %s (was %s) though the arm64 test failed", got, before)
	}
	for _, want := range []string{
		`test "not-on-arm64" of target "app" failed on linux/arm64: its output has no match for "x86_64|armv7l"` + "\noutput:\n  aarch64\n",
		"test not-on-arm64: app@linux/amd64 passed in ",
		"emulated app@linux/arm64: RUN steps under QEMU took ",
		"  dockerfile-inline:3: under QEMU for linux/arm64 took ",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	for row, want := range map[string]string{"app@linux/amd64": `done\s+native\s+\S+\s+\S+\s+passed`, "app@linux/arm64": `failed\s+emulated\s+\S+\s+\S+\s+failed`, "app#index": `skipped`} {
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(row) + `\s+\S+\s+` + want).MatchString(out.String()) {
			t.Errorf("summary row %s does not match %q:\n%s", row, want, out)
		}
	}
	// The test's output is in the progress, per platform.
	if !regexp.MustCompile(`(?m)\[app@linux/arm64\] test not-on-arm64: uname -m\n#\d+ [0-9.]+ aarch64`).MatchString(out.String()) {
		t.Errorf("progress lacks the arm64 test's output:\n%s", out)
	}
}
