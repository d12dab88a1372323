package dockerfile_test

import (
	"fmt"
	"io/fs"
	"slices"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/dockerfile"
	"github.com/xbake/xbake/plan"
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

func TestReaderRunPlatforms(t *testing.T) {
	s := func(v string) *string { return &v }
	fsys := &files{reads: map[string]int{}, data: map[string]string{
		"Dockerfile": perArch, "copy/Dockerfile": perArch, "bad/Dockerfile": "FROM\n",
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
		{"inline", &bake.Target{Name: "f", DockerfileInline: s("FROM golang\nRUN x\n")}, arm64, []string{"linux/arm64"}},
		{"a missing file", &bake.Target{Name: "g", Dockerfile: s("nope.Dockerfile")}, arm64, nil},
		{"a file the build rejects", &bake.Target{Name: "h", Context: s("bad")}, arm64, nil},
		{"a remote context", &bake.Target{Name: "i", Context: s("https://github.com/x/y.git")}, arm64, nil},
		{"an unknown target stage", &bake.Target{Name: "j", Target: s("nope")}, arm64, nil},
	} {
		got, ok := r.RunPlatforms(tc.target, tc.platform, amd64)
		if ok != (tc.want != nil) {
			t.Errorf("%s: ok = %v", tc.name, ok)
			continue
		}
		var names []string
		for _, p := range got {
			names = append(names, platforms.Format(p))
		}
		if tc.want != nil && !slices.Equal(names, tc.want) {
			t.Errorf("%s: RUN steps on %v, want %v", tc.name, names, tc.want)
		}
	}
	want := map[string]int{"Dockerfile": 1, "copy/Dockerfile": 1, "bad/Dockerfile": 1, "nope.Dockerfile": 1}
	if d := cmp.Diff(want, fsys.reads); d != "" {
		t.Errorf("reads (-want +got):\n%s", d)
	}
	if r.File(&bake.Target{Name: "x"}) != r.File(&bake.Target{Name: "y", Context: s("copy")}) {
		t.Error("two paths with the same content were parsed twice")
	}
}

// TestReaderPlans: the planner, given a Reader, marks each foreign solve
// by what its Dockerfile runs for that platform.
func TestReaderPlans(t *testing.T) {
	fsys := &files{reads: map[string]int{}, data: map[string]string{"Dockerfile": perArch}}
	def := &bake.Definition{}
	for i := range 100 {
		def.Targets = append(def.Targets, &bake.Target{Name: fmt.Sprintf("app-%02d", i),
			Platforms: []string{"linux/amd64", "linux/arm64", "linux/riscv64"},
			Args:      map[string]*string{"N": ptr(fmt.Sprint(i))}})
	}
	p, diags := plan.New(def, plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/amd64"},
		Dockerfiles: dockerfile.NewReader(fsys.read)})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	count := map[plan.Exec]int{}
	for _, n := range p.Nodes {
		count[n.Exec]++
		if n.Target == "app-07" && n.Platform != "linux/amd64" {
			want := map[string]plan.Exec{"linux/arm64": plan.ExecCross, "linux/riscv64": plan.ExecEmulated}[n.Platform]
			if n.Exec != want {
				t.Errorf("%s: %s, want %s", n.ID, n.Exec, want)
			}
		}
	}
	if d := cmp.Diff(map[plan.Exec]int{plan.ExecNative: 100, plan.ExecCross: 100, plan.ExecEmulated: 100}, count); d != "" {
		t.Errorf("exec counts (-want +got):\n%s", d)
	}
	if fsys.reads["Dockerfile"] != 1 {
		t.Errorf("the shared Dockerfile was read %d times, want once", fsys.reads["Dockerfile"])
	}
}

func ptr[T any](v T) *T { return &v }
