package preflight_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/dockerfile"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/plan"
	"github.com/xbake/xbake/preflight"
)

// registry is a fake Lookup: the platforms of each image; an image it
// does not know fails as an unreachable registry would.
type registry struct {
	images map[string][]string
	calls  atomic.Int32
	mu     sync.Mutex
	asked  map[string]int
}

func (r *registry) lookup(_ context.Context, ref string) ([]ocispec.Platform, error) {
	r.calls.Add(1)
	r.mu.Lock()
	if r.asked == nil {
		r.asked = map[string]int{}
	}
	r.asked[ref]++
	r.mu.Unlock()
	names, ok := r.images[ref]
	if !ok {
		return nil, fmt.Errorf("fetching %s: dial tcp: lookup registry.test: no such host", ref)
	}
	out := make([]ocispec.Platform, len(names))
	for i, n := range names {
		out[i] = platforms.MustParse(n)
	}
	return out, nil
}

// planFor plans targets whose Dockerfiles are in files, on an amd64
// builder.
func planFor(t *testing.T, files map[string]string, targets ...*bake.Target) *plan.Plan {
	t.Helper()
	read := func(p string) ([]byte, error) {
		if d, ok := files[p]; ok {
			return []byte(d), nil
		}
		return nil, fs.ErrNotExist
	}
	for i, tg := range targets {
		tg.Source = &bake.Source{DeclRange: hcl.Range{Filename: "xbuild.hcl", Start: hcl.Pos{Line: 1 + 4*i, Column: 8}}}
	}
	p, diags := plan.New(&bake.Definition{Targets: targets}, plan.Request{DefaultPlatform: "linux/amd64",
		BuilderPlatforms: []string{"linux/amd64"}, Dockerfiles: preflight.NewDockerfiles(dockerfile.NewReader(read))})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return p
}

func compact(diags hcl.Diagnostics) string {
	var b bytes.Buffer
	_ = xhcl.WriteDiagnostics(&b, diags, xhcl.FormatCompact, nil, 100, false)
	return b.String()
}

const crossDockerfile = `ARG GO=registry.test/golang:1.26
FROM --platform=$BUILDPLATFORM ${GO} AS build
RUN go build -o /app
FROM registry.test/base:1
COPY --from=build /app /app
`

func TestCheckMissingPlatform(t *testing.T) {
	reg := &registry{images: map[string][]string{
		"registry.test/golang:1.26": {"linux/amd64", "linux/arm64"},
		"registry.test/base:1":      {"linux/arm64", "linux/amd64"},
		"registry.test/golang:1.25": {"linux/386", "linux/arm64"},
	}}
	p := planFor(t, map[string]string{"app/Dockerfile": crossDockerfile, "Dockerfile": "FROM registry.test/golang:1.26 AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n"},
		&bake.Target{Name: "app", Context: ptr("app"), Platforms: []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}},
		&bake.Target{Name: "emu", Platforms: []string{"linux/arm/v7", "linux/riscv64"}},
		// amd64 takes a 386 image, as BuildKit's platform matcher does.
		&bake.Target{Name: "old", Context: ptr("app"), Args: map[string]*string{"GO": ptr("registry.test/golang:1.25")}},
	)
	diags := preflight.Check(context.Background(), p, reg.lookup, preflight.Options{})
	want := `Dockerfile:1:1: error: Base image has no linux/arm/v7
	FROM registry.test/golang:1.26 (stage build) is pulled for linux/arm/v7 by target "emu" (xbuild.hcl:5:8), but the image offers linux/amd64, linux/arm64.
	The stage only gives files to other stages: FROM --platform=$BUILDPLATFORM registry.test/golang:1.26 runs it on the builder's platform for every target platform (then build for $TARGETPLATFORM, as cross-compilers do).
Dockerfile:1:1: error: Base image has no linux/riscv64
	FROM registry.test/golang:1.26 (stage build) is pulled for linux/riscv64 by target "emu" (xbuild.hcl:5:8), but the image offers linux/amd64, linux/arm64.
	The stage only gives files to other stages: FROM --platform=$BUILDPLATFORM registry.test/golang:1.26 runs it on the builder's platform for every target platform (then build for $TARGETPLATFORM, as cross-compilers do).
app/Dockerfile:4:1: error: Base image has no linux/arm/v7
	FROM registry.test/base:1 is pulled for linux/arm/v7 by target "app" (xbuild.hcl:1:8), but the image offers linux/amd64, linux/arm64.
	Use an image that offers linux/arm/v7, or leave linux/arm/v7 out of the target's platforms.
`
	if d := cmp.Diff(want, compact(diags)); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	// Each reference is looked up once, however many solves pull it.
	if d := cmp.Diff(map[string]int{"registry.test/golang:1.26": 1, "registry.test/base:1": 1, "registry.test/golang:1.25": 1}, reg.asked); d != "" {
		t.Errorf("lookups (-want +got):\n%s", d)
	}
	var checks []string
	for _, n := range p.Nodes {
		for _, im := range n.Solve.Images {
			checks = append(checks, fmt.Sprintf("%s %s %s %s", n.ID, im.Ref, platforms.Format(im.Platform), im.Check))
		}
	}
	wantChecks := []string{
		"app@linux/amd64 registry.test/golang:1.26 linux/amd64 ok",
		"app@linux/amd64 registry.test/base:1 linux/amd64 ok",
		"app@linux/arm/v7 registry.test/golang:1.26 linux/amd64 ok",
		"app@linux/arm/v7 registry.test/base:1 linux/arm/v7 ",
		"app@linux/arm64 registry.test/golang:1.26 linux/amd64 ok",
		"app@linux/arm64 registry.test/base:1 linux/arm64 ok",
		"emu@linux/arm/v7 registry.test/golang:1.26 linux/arm/v7 ",
		"emu@linux/riscv64 registry.test/golang:1.26 linux/riscv64 ",
		"old@linux/amd64 registry.test/golang:1.25 linux/amd64 ok",
		"old@linux/amd64 registry.test/base:1 linux/amd64 ok",
	}
	if d := cmp.Diff(wantChecks, checks); d != "" {
		t.Errorf("checks (-want +got):\n%s", d)
	}
}

// TestCheckManyTargets: one FROM line that lacks a platform for many
// targets is one error, which counts them.
func TestCheckManyTargets(t *testing.T) {
	reg := &registry{images: map[string][]string{"registry.test/base:1": {"linux/amd64"}}}
	var targets []*bake.Target
	for i := range 50 {
		targets = append(targets, &bake.Target{Name: fmt.Sprintf("svc-%02d", i), Platforms: []string{"linux/amd64", "linux/arm64"},
			Args: map[string]*string{"N": ptr(fmt.Sprint(i))}})
	}
	p := planFor(t, map[string]string{"Dockerfile": "FROM registry.test/base:1\nARG N\nRUN echo $N\n"}, targets...)
	got := compact(preflight.Check(context.Background(), p, reg.lookup, preflight.Options{}))
	want := `Dockerfile:1:1: error: Base image has no linux/arm64
	FROM registry.test/base:1 is pulled for linux/arm64 by target "svc-00" (xbuild.hcl:1:8) and 49 other targets, but the image offers linux/amd64.
	Use an image that offers linux/arm64, or leave linux/arm64 out of the target's platforms.
`
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	if n := reg.calls.Load(); n != 1 {
		t.Errorf("%d lookups, want 1", n)
	}
}

// TestCheckUnreachable: an image that cannot be looked up is a warning,
// once, and its uses are marked unknown; a lookup that never answers is
// ended by the check's timeout.
func TestCheckUnreachable(t *testing.T) {
	reg := &registry{images: map[string][]string{}}
	p := planFor(t, map[string]string{"Dockerfile": "FROM registry.test/base:1\nRUN x\n"},
		&bake.Target{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"}})
	got := compact(preflight.Check(context.Background(), p, reg.lookup, preflight.Options{}))
	want := `Dockerfile:1:1: warning: Base image not checked
	registry.test/base:1: fetching registry.test/base:1: dial tcp: lookup registry.test: no such host
	Its platforms were not checked before the build; the build pulls it as usual.
`
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	for _, n := range p.Nodes {
		if c := n.Solve.Images[0].Check; c != plan.CheckUnknown {
			t.Errorf("%s: check %q, want unknown", n.ID, c)
		}
	}

	hang := func(ctx context.Context, _ string) ([]ocispec.Platform, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	// The lookup returns only when the check's timeout ends it: the
	// warning says so.
	diags := preflight.Check(context.Background(), p, hang, preflight.Options{Timeout: 50 * time.Millisecond})
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || !bytes.Contains([]byte(diags[0].Detail), []byte("no answer within 50ms")) {
		t.Errorf("a registry that never answers: %v", diags)
	}
}

// TestCheckContexts: a docker-image:// context is checked like a FROM
// image; target: links, local folders and scratch pull nothing.
func TestCheckContexts(t *testing.T) {
	reg := &registry{images: map[string][]string{"registry.test/tools:1": {"linux/amd64"}, "registry.test/golang:1.26": {"linux/amd64", "linux/arm64"}}}
	p := planFor(t, map[string]string{"Dockerfile": "FROM tools AS t\nFROM dep AS d\nFROM scratch\nCOPY --from=t / /\nCOPY --from=d / /\n", "dep/Dockerfile": "FROM registry.test/golang:1.26\n"},
		&bake.Target{Name: "dep", Context: ptr("dep"), Platforms: []string{"linux/arm64"}},
		&bake.Target{Name: "app", Platforms: []string{"linux/arm64"}, Contexts: map[string]string{"tools": "docker-image://registry.test/tools:1", "dep": "target:dep"}},
	)
	got := compact(preflight.Check(context.Background(), p, reg.lookup, preflight.Options{}))
	want := `Dockerfile:1:1: error: Base image has no linux/arm64
	the image of context "tools" (docker-image://registry.test/tools:1) (stage t) is pulled for linux/arm64 by target "app" (xbuild.hcl:5:8), but the image offers linux/amd64.
	Use an image that offers linux/arm64, or leave linux/arm64 out of the target's platforms.
`
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int{"registry.test/tools:1": 1, "registry.test/golang:1.26": 1}, reg.asked); d != "" {
		t.Errorf("lookups (-want +got):\n%s", d)
	}
}

func TestCheckWithoutDockerfiles(t *testing.T) {
	p, _ := plan.New(&bake.Definition{Targets: []*bake.Target{{Name: "app"}}}, plan.Request{DefaultPlatform: "linux/amd64"})
	fail := func(context.Context, string) ([]ocispec.Platform, error) { return nil, errors.New("asked") }
	if diags := preflight.Check(context.Background(), p, fail, preflight.Options{}); len(diags) != 0 {
		t.Errorf("a plan without images: %v", diags)
	}
}

func ptr[T any](v T) *T { return &v }

// TestCheckCopyFrom: an image that COPY --from or RUN --mount=from reads
// is pulled for the target platform, even in a stage built on the
// builder's platform; a docker-image:// context read that way too.
func TestCheckCopyFrom(t *testing.T) {
	reg := &registry{images: map[string][]string{
		"registry.test/golang:1.26": {"linux/amd64", "linux/arm64"},
		"registry.test/xx:1":        {"linux/amd64"},
		"registry.test/certs:1":     {"linux/amd64"},
	}}
	p := planFor(t, map[string]string{"Dockerfile": `FROM --platform=$BUILDPLATFORM registry.test/golang:1.26 AS build
COPY --from=registry.test/xx:1 / /
RUN --mount=from=certs,target=/c go build
FROM scratch
COPY --from=build /app /app
`}, &bake.Target{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"}, Contexts: map[string]string{"certs": "docker-image://registry.test/certs:1"}})
	got := compact(preflight.Check(context.Background(), p, reg.lookup, preflight.Options{}))
	want := `Dockerfile:2:1: error: Base image has no linux/arm64
	--from=registry.test/xx:1 (stage build) is pulled for linux/arm64 by target "app" (xbuild.hcl:1:8), but the image offers linux/amd64.
	Use an image that offers linux/arm64, or leave linux/arm64 out of the target's platforms.
Dockerfile:3:1: error: Base image has no linux/arm64
	the image of context "certs" (docker-image://registry.test/certs:1) (stage build) is pulled for linux/arm64 by target "app" (xbuild.hcl:1:8), but the image offers linux/amd64.
	Use an image that offers linux/arm64, or leave linux/arm64 out of the target's platforms.
`
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}
