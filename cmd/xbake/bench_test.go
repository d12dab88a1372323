package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/xbake/xbake/bake/baketest"
)

// BenchmarkCLIPrint runs the real xbake binary on a generated definition of
// 5,000 targets (300 targets inheriting a common one, and one 47x100
// matrix; 3 platforms each) and reports wall time and peak RSS per run,
// for --print of everything and of one target.
func BenchmarkCLIPrint(b *testing.B) {
	dir := b.TempDir()
	bin := buildCLI(b, dir, "xbake")
	if err := os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), baketest.Large(300, 47, 100), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, target string }{{"all", "*"}, {"one", "svc-7"}} {
		b.Run(bc.name, func(b *testing.B) {
			var maxRSS int64
			var wall time.Duration
			for b.Loop() {
				cmd := exec.Command(bin, "--print", bc.target)
				cmd.Dir = dir
				start := time.Now()
				if out, err := cmd.Output(); err != nil || len(out) == 0 {
					b.Fatalf("xbake --print %s: %v", bc.target, err)
				}
				wall += time.Since(start)
				if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
					maxRSS = max(maxRSS, ru.Maxrss) // KiB on Linux
				}
			}
			b.ReportMetric(float64(maxRSS)/1024, "peak-RSS-MB")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms/op")
		})
	}
}
