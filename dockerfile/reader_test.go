package dockerfile_test

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/dockerfile"
)

// perArch cross-compiles for arm64 and compiles under the target platform
// for riscv64: the answer depends on the platform, not only the target.
const perArch = `ARG BUILDER=$BUILDPLATFORM
FROM --platform=$BUILDER golang AS build-arm64
RUN go build
FROM golang AS build-riscv64
RUN gcc -o /app app.c
FROM build-$TARGETARCH AS build
FROM scratch
COPY --from=build /app /app
`

// files is a fake file system that counts its reads.
type files struct {
	data  map[string]string
	reads map[string]int
}

func (f *files) read(p string) ([]byte, error) {
	f.reads[p]++
	d, ok := f.data[p]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return []byte(d), nil
}

// runPlatforms are the platforms the RUN steps of stages run on.
func runPlatforms(stages []dockerfile.Stage) []string {
	names := []string{}
	for _, s := range stages {
		if len(s.Runs) > 0 {
			names = append(names, platforms.Format(s.Platform))
		}
	}
	return names
}

func TestReaderStages(t *testing.T) {
	s := func(v string) *string { return &v }
	fsys := &files{reads: map[string]int{}, data: map[string]string{
		"Dockerfile": perArch, "copy/Dockerfile": perArch, "bad/Dockerfile": "FROM\n", "lower/dockerfile": perArch,
	}}
	r := dockerfile.NewReader(fsys.read)
	riscv := platforms.MustParse("linux/riscv64")
	for _, tc := range []struct {
		name     string
		target   *bake.Target
		platform ocispec.Platform
		want     []string // nil: cannot tell
	}{
		{"cross for arm64", &bake.Target{Name: "a"}, arm64, []string{"linux/amd64"}},
		{"emulated for riscv64", &bake.Target{Name: "a"}, riscv, []string{"linux/riscv64"}},
		{"a build argument moves the build stage", &bake.Target{Name: "b", Args: map[string]*string{"BUILDER": s("linux/arm64")}}, arm64, []string{"linux/arm64"}},
		{"an argument without a value is not passed", &bake.Target{Name: "c", Args: map[string]*string{"BUILDER": nil}}, arm64, []string{"linux/amd64"}},
		{"a named context replaces a stage", &bake.Target{Name: "d", Contexts: map[string]string{"build-riscv64": "target:x"}}, riscv, []string{}},
		{"the same content at another path", &bake.Target{Name: "e", Context: s("copy")}, arm64, []string{"linux/amd64"}},
		{"a lower-case dockerfile, as BuildKit reads it", &bake.Target{Name: "k", Context: s("lower")}, arm64, []string{"linux/amd64"}},
		{"inline", &bake.Target{Name: "f", DockerfileInline: s("FROM golang\nRUN x\n")}, arm64, []string{"linux/arm64"}},
		{"a missing file", &bake.Target{Name: "g", Dockerfile: s("nope.Dockerfile")}, arm64, nil},
		{"a file the build rejects", &bake.Target{Name: "h", Context: s("bad")}, arm64, nil},
		{"a remote context", &bake.Target{Name: "i", Context: s("https://github.com/x/y.git")}, arm64, nil},
		{"an unknown target stage", &bake.Target{Name: "j", Target: s("nope")}, arm64, nil},
	} {
		got, ok := r.Stages(tc.target, tc.platform, amd64)
		if ok != (tc.want != nil) {
			t.Errorf("%s: ok = %v", tc.name, ok)
			continue
		}
		if names := runPlatforms(got); tc.want != nil && !slices.Equal(names, tc.want) {
			t.Errorf("%s: RUN steps on %v, want %v", tc.name, names, tc.want)
		}
	}
	want := map[string]int{"Dockerfile": 1, "copy/Dockerfile": 1, "bad/Dockerfile": 1, "nope.Dockerfile": 1,
		"lower/Dockerfile": 1, "lower/dockerfile": 1}
	if d := cmp.Diff(want, fsys.reads); d != "" {
		t.Errorf("reads (-want +got):\n%s", d)
	}
	// Two paths with the same content are parsed once: their builds
	// share one answer.
	x, _ := r.Stages(&bake.Target{Name: "x"}, arm64, amd64)
	y, _ := r.Stages(&bake.Target{Name: "y", Context: s("copy")}, arm64, amd64)
	if &x[0] != &y[0] {
		t.Error("two paths with the same content were parsed twice")
	}
	for ctx, want := range map[string]string{".": "Dockerfile", "lower": "lower/dockerfile", "nope": ""} {
		if got := r.Path(&bake.Target{Name: "z", Context: s(ctx)}); got != want {
			t.Errorf("Path with context %s = %q, want %q", ctx, got, want)
		}
	}
}

// TestReaderImages: the images a build pulls, each for the platform of
// its stage, through docker-image:// contexts too, and none through
// stages, scratch or contexts of other kinds.
func TestReaderImages(t *testing.T) {
	const df = `ARG BASE=alpine:3.20
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
RUN go build -o /app
FROM build AS again
FROM scratch AS files
COPY --from=again /app /app
FROM tools AS t
FROM linked AS l
FROM deps
FROM ${BASE}
COPY --from=files /app /app
COPY --from=t / /
COPY --from=l / /
`
	fsys := &files{reads: map[string]int{}, data: map[string]string{"Dockerfile": df}}
	r := dockerfile.NewReader(fsys.read)
	tgt := &bake.Target{Name: "app", Contexts: map[string]string{
		"Tools":  "docker-image://mirror.test/tools:1@sha256:" + strings.Repeat("a", 64),
		"linked": "target:other",
		"deps":   "docker-image://deps:2", // replaces no stage here: not needed
	}}
	stages, ok := r.Stages(tgt, arm64, amd64)
	if !ok {
		t.Fatal("no stages")
	}
	var got []string
	for _, im := range dockerfile.Images(tgt, stages) {
		got = append(got, fmt.Sprintf("%s %s line %d stage %q files-only %v context %q",
			im.Ref, platforms.Format(im.Platform), im.Stage.Line, im.Stage.Name, im.Stage.FilesOnly, im.Context))
	}
	want := []string{
		`golang:1.26 linux/amd64 line 2 stage "build" files-only true context ""`,
		`mirror.test/tools:1@sha256:` + strings.Repeat("a", 64) + ` linux/arm64 line 7 stage "t" files-only true context "tools"`,
		`alpine:3.20 linux/arm64 line 10 stage "" files-only false context ""`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("images (-want +got):\n%s", d)
	}
	// A context that replaces a stage is pulled for that stage's platform.
	tgt.Contexts = map[string]string{"build": "docker-image://prebuilt:1"}
	stages, _ = r.Stages(tgt, arm64, amd64)
	im := dockerfile.Images(tgt, stages)
	if len(im) < 1 || im[0].Ref != "prebuilt:1" || platforms.Format(im[0].Platform) != "linux/amd64" || im[0].Context != "build" {
		t.Errorf("replaced stage: %+v", im)
	}
}
