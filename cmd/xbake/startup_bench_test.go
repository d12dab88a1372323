package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// BenchmarkStartup holds the start-up goals: `xbake version` within 3×
// and `--print` of examples/monorepo within 4× the time a Go hello-world
// takes to run, measured in the same loop, so that the ratio (x-hello)
// stays meaningful on a busy machine. "front" is the xbake that
// `make build` installs (the front build, see engine.go); "full" is the
// single full binary, for comparison.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	hello := filepath.Join(dir, "hello")
	if err := os.MkdirAll(hello+".src", 0o755); err != nil {
		b.Fatal(err)
	}
	for name, content := range map[string]string{
		"go.mod":  "module hello\n\ngo 1.26\n",
		"main.go": "package main\n\nimport \"os\"\n\nfunc main() { os.Stdout.WriteString(\"hello\\n\") }\n",
	} {
		if err := os.WriteFile(filepath.Join(hello+".src", name), []byte(content), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	build := exec.Command("go", "build", "-o", hello, ".")
	build.Dir = hello + ".src"
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("go build hello: %v\n%s", err, out)
	}
	bins := map[string]string{}
	for _, v := range []struct{ name, file string }{{"front", "xbake"}, {"full", engineName}} {
		var flags []string
		if v.name == "front" {
			flags = []string{"-tags", "xbakefront"}
		}
		bins[v.name] = buildCLI(b, dir, v.file, flags...)
	}
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		b.Fatal(err)
	}
	runOnce := func(b *testing.B, bin string, args ...string) time.Duration {
		cmd := exec.Command(bin, args...)
		cmd.Dir = root
		start := time.Now()
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s %v: %v\n%s", bin, args, err, out)
		}
		return time.Since(start)
	}
	for _, bc := range []struct {
		name string
		args []string
	}{
		{"version", []string{"version"}},
		{"print-monorepo", []string{"-f", "examples/monorepo/xbuild.hcl", "--print"}},
	} {
		for _, build := range []string{"front", "full"} {
			b.Run(bc.name+"/"+build, func(b *testing.B) {
				var h, x time.Duration
				for b.Loop() {
					h += runOnce(b, hello)
					x += runOnce(b, bins[build], bc.args...)
				}
				b.ReportMetric(float64(x)/float64(h), "x-hello")
				b.ReportMetric(float64(x.Microseconds())/1000/float64(b.N), "ms/run")
				b.ReportMetric(float64(h.Microseconds())/1000/float64(b.N), "hello-ms/run")
			})
		}
	}
}
