package main

import (
	"fmt"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/xbake/xbake/bake/baketest"
)

// planDockerfile is the Dockerfile of the generated targets: a
// cross-compiling build stage chosen through a global ARG, so that
// --builder-platforms has stages to resolve for every platform. Its
// images are in the registry at %[1]s (benchRegistry).
const planDockerfile = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.26
ARG BUILDER=$BUILDPLATFORM
FROM --platform=$BUILDER %[1]s/golang:${GO_VERSION} AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY . .
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .

FROM %[1]s/alpine:3.20
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["app"]
`

// benchRegistry serves planDockerfile's images from memory on a loopback
// port, with the platforms a check of the generated targets looks for,
// and returns its host:port.
func benchRegistry(b *testing.B) string {
	b.Helper()
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	b.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	for image, plats := range map[string][]string{
		"golang:1.26": {"linux/amd64", "linux/arm64"},
		"alpine:3.20": {"linux/amd64", "linux/arm64", "linux/arm/v7"},
	} {
		var idx v1.ImageIndex = empty.Index
		for _, p := range plats {
			img, err := random.Image(64, 1)
			if err != nil {
				b.Fatal(err)
			}
			pl, err := v1.ParsePlatform(p)
			if err != nil {
				b.Fatal(err)
			}
			idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: pl}})
		}
		ref, err := name.ParseReference(host + "/" + image)
		if err != nil {
			b.Fatal(err)
		}
		if err := remote.WriteIndex(ref, idx); err != nil {
			b.Fatal(err)
		}
	}
	return host
}

// BenchmarkCLIPlan runs the real xbake binary with --plan on the 5,000
// targets of BenchmarkCLIPrint (4,700 matrix targets share one Dockerfile;
// 300 services have one each), without and with --builder-platforms,
// which classifies every solve from its Dockerfile and checks the base
// images in their registry (a loopback one, each image looked up once per
// run), and with --no-preflight, which leaves the check out. Goal: 0.5 s.
// It reports the wall time and the CPU time (user+system, which a busy
// machine does not inflate) per run.
func BenchmarkCLIPlan(b *testing.B) {
	dir := b.TempDir()
	bin := filepath.Join(dir, "xbake")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), baketest.Large(300, 47, 100), 0o644); err != nil {
		b.Fatal(err)
	}
	dockerfile := []byte(fmt.Sprintf(planDockerfile, benchRegistry(b)))
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), dockerfile, 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range 300 {
		svc := filepath.Join(dir, "services", "svc-"+strconv.Itoa(i))
		if err := os.MkdirAll(svc, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(svc, "Dockerfile"), dockerfile, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"plan", []string{"--plan", "*"}},
		{"classified", []string{"--plan", "--builder-platforms", "linux/amd64", "*"}},
		{"classified-no-preflight", []string{"--plan", "--no-preflight", "--builder-platforms", "linux/amd64", "*"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var wall, cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, bc.args...)
				cmd.Dir = dir
				start := time.Now()
				out, err := cmd.Output()
				if err != nil || len(out) == 0 {
					b.Fatalf("xbake %v: %v", bc.args, err)
				}
				// The check ran, and found every image.
				if checked := strings.Contains(string(out), `"check": "ok"`); checked != (bc.name == "classified") {
					b.Fatalf("xbake %v: images checked: %v", bc.args, checked)
				}
				wall += time.Since(start)
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms/op")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
