package bake_test

import (
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/baketest"
	xhcl "github.com/xbake/xbake/hcl"
)

func largeFile(plain, a, b int) []byte { return baketest.Large(plain, a, b) }

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

// BenchmarkInheritsChain is --print t0 of a chain t0 -> t1 -> ... of
// inherits, parsing included.
func BenchmarkInheritsChain(b *testing.B) {
	for _, n := range []int{4000, 10000} {
		src := baketest.Chain(n)
		b.Run(fmt.Sprintf("links=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				printAll(b, src, []string{"t0"})
			}
		})
	}
}

// BenchmarkLinkChain is --print t0 of a chain t0 -> t1 -> ... of
// `target:` contexts, parsing included: following the links walks the
// chain once, in time linear in its length.
func BenchmarkLinkChain(b *testing.B) {
	benchChain(b, "links", "t0", func(src *strings.Builder, n int) {
		for i := range n {
			fmt.Fprintf(src, "target \"t%d\" {\n  contexts = { base = \"target:t%d\" }\n}\n", i, i+1)
		}
		fmt.Fprintf(src, "target \"t%d\" {}\n", n)
	})
}

// BenchmarkGroupChain is --print g0 of a chain of groups g0 -> g1 -> ...
// that ends in one target, parsing included.
func BenchmarkGroupChain(b *testing.B) {
	benchChain(b, "groups", "g0", func(src *strings.Builder, n int) {
		src.WriteString("target \"t\" {}\n")
		for i := range n {
			fmt.Fprintf(src, "group \"g%d\" {\n  targets = [\"g%d\"]\n}\n", i, i+1)
		}
		fmt.Fprintf(src, "group \"g%d\" {\n  targets = [\"t\"]\n}\n", n)
	})
}

// benchChain runs --print of root on chains of 10,000 and 30,000 links
// that write writes.
func benchChain(b *testing.B, unit, root string, write func(src *strings.Builder, n int)) {
	for _, n := range []int{10000, 30000} {
		var src strings.Builder
		write(&src, n)
		b.Run(fmt.Sprintf("%s=%d", unit, n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				printAll(b, []byte(src.String()), []string{root})
			}
		})
	}
}
