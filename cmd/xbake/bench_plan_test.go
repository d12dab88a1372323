package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xbake/xbake/bake/baketest"
)

// planDockerfile is the Dockerfile of the generated targets: a
// cross-compiling build stage chosen through a global ARG, so that
// --builder-platforms has stages to resolve for every platform.
const planDockerfile = `# syntax=docker/dockerfile:1
ARG GO_VERSION=1.26
ARG BUILDER=$BUILDPLATFORM
FROM --platform=$BUILDER golang:${GO_VERSION} AS build
ARG TARGETOS TARGETARCH
WORKDIR /src
COPY . .
RUN GOOS=$TARGETOS GOARCH=$TARGETARCH go build -o /out/app .

FROM alpine:3.20
COPY --from=build /out/app /usr/local/bin/app
ENTRYPOINT ["app"]
`

// BenchmarkCLIPlan runs the real xbake binary with --plan on the 5,000
// targets of BenchmarkCLIPrint (4,700 matrix targets share one Dockerfile;
// 300 services have one each), without and with --builder-platforms,
// which classifies every solve from its Dockerfile. Goal: 0.5 s. It
// reports the wall time and the CPU time (user+system, which a busy
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
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(planDockerfile), 0o644); err != nil {
		b.Fatal(err)
	}
	for i := range 300 {
		svc := filepath.Join(dir, "services", "svc-"+strconv.Itoa(i))
		if err := os.MkdirAll(svc, 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(svc, "Dockerfile"), []byte(planDockerfile), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"plan", []string{"--plan", "*"}},
		{"classified", []string{"--plan", "--builder-platforms", "linux/amd64", "*"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var wall, cpu time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, bc.args...)
				cmd.Dir = dir
				start := time.Now()
				if out, err := cmd.Output(); err != nil || len(out) == 0 {
					b.Fatalf("xbake %v: %v", bc.args, err)
				}
				wall += time.Since(start)
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
			}
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms/op")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
		})
	}
}
