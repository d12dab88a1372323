package bake_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// largeFile is the performance issue's shape: 300 plain targets that
// inherit one common target, and one 2-dimension matrix target expanding to
// matrixA*matrixB targets, 3 platforms each.
func largeFile(plain, matrixA, matrixB int) []byte {
	var b strings.Builder
	b.WriteString(`variable "REGISTRY" { default = "registry.example/team" }
variable "TAG" { default = "dev" }

target "_common" {
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  labels    = { "org.opencontainers.image.source" = "https://example.test/repo" }
  args      = { GO_VERSION = "1.26" }
}
`)
	for i := 0; i < plain; i++ {
		fmt.Fprintf(&b, `
target "svc-%d" {
  inherits   = ["_common"]
  context    = "services/svc-%d"
  tags       = ["${REGISTRY}/svc-%d:${TAG}"]
  args       = { SERVICE = "svc-%d" }
  cache-from = ["type=registry,ref=${REGISTRY}/cache:svc-%d"]
}
`, i, i, i, i, i)
	}
	var as, bs []string
	for i := 0; i < matrixA; i++ {
		as = append(as, fmt.Sprintf("%q", fmt.Sprintf("a%d", i)))
	}
	for i := 0; i < matrixB; i++ {
		bs = append(bs, fmt.Sprintf("%q", fmt.Sprintf("b%d", i)))
	}
	fmt.Fprintf(&b, `
target "mx" {
  inherits = ["_common"]
  matrix   = { a = [%s], b = [%s] }
  name     = "mx-${a}-${b}"
  tags     = ["${REGISTRY}/mx:${a}-${b}"]
  args     = { A = a, B = b }
}
`, strings.Join(as, ", "), strings.Join(bs, ", "))
	return []byte(b.String())
}

func printAll(tb testing.TB, src []byte, targets []string) {
	files, _, diags := xhcl.Parse([]xhcl.File{{Name: "docker-bake.hcl", Data: src}})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	cfg, diags := bake.Load(files, bake.Options{})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	if targets == nil {
		targets = cfg.TargetNames()
	}
	def, diags := cfg.Resolve(bake.Request{Targets: targets})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	if err := def.WritePrint(io.Discard); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkPrintAll is --print of every target of a 5,000-target file.
func BenchmarkPrintAll(b *testing.B) {
	for _, size := range []struct{ plain, a, b int }{{150, 47, 50}, {300, 47, 100}} {
		src := largeFile(size.plain, size.a, size.b)
		b.Run(fmt.Sprintf("targets=%d", size.plain+size.a*size.b), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				printAll(b, src, nil)
			}
		})
	}
}

// BenchmarkPrintOne is --print of one target of the same file: only what
// that target needs is evaluated.
func BenchmarkPrintOne(b *testing.B) {
	src := largeFile(300, 47, 100)
	b.ReportAllocs()
	for b.Loop() {
		printAll(b, src, []string{"svc-7"})
	}
}
