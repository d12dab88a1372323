package compose

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	xhcl "github.com/xbake/xbake/hcl"
)

// TestComposeLimits: Compose files that compose-go would take minutes on
// are refused with a position before it sees them, at a cost of a few
// megabytes: 20,000 services made from one anchor (54 s before), nesting
// 10,000 levels deep (126 s), an alias bomb, and files over the size.
func TestComposeLimits(t *testing.T) {
	var anchors strings.Builder
	anchors.WriteString("x-base: &b\n  build: .\nservices:\n")
	for i := range 20000 {
		fmt.Fprintf(&anchors, "  s%d: *b\n", i)
	}
	deep := "services:\n  app:\n    build: .\n    x-deep: " + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + "\n"
	// Each level doubles the one before: 2^30 nodes from 31 lines.
	bomb := "x-0: &a0 [1, 1]\n"
	for i := 1; i <= 30; i++ {
		bomb += fmt.Sprintf("x-%d: &a%d [*a%d, *a%d]\n", i, i, i-1, i-1)
	}
	bomb += "services:\n  app:\n    build: .\n"
	big := "services:\n  app:\n    build: .\n    x-pad: \"" + strings.Repeat("x", MaxComposeSize) + "\"\n"
	// compose-go interpolates in time that grows with the square of the
	// substitutions of a value: these took 63 s and 32 s.
	args := "services:\n  app:\n    build:\n      context: .\n      args:\n        A: "
	flat := args + `"` + strings.Repeat("${X:-a}", 20000) + "\"\n"
	nested := args + `"` + strings.Repeat("${X:-", 10000) + "a" + strings.Repeat("}", 10000) + "\"\n"
	// Under the limit for one value, over it for all, through an alias.
	spread := "x-v: &v \"" + strings.Repeat("$X", MaxScalarDollars) + "\"\nservices:\n  app:\n    build: .\n    x-a: [" + strings.Repeat("*v, ", 20) + "]\n"
	for _, tc := range []struct{ name, src, summary, at string }{
		{"flat.yml", flat, "Compose file too costly to interpolate", "flat.yml:6:12"},
		{"nested.yml", nested, "Compose file too costly to interpolate", "nested.yml:6:12"},
		{"spread.yml", spread, "Compose file too costly to interpolate", "spread.yml:5:"},
		{"anchors.yml", anchors.String(), "Compose file too large", "anchors.yml:2502:3"},
		{"deep.yml", deep, "Compose file too deep", "deep.yml:4:"},
		{"bomb.yml", bomb, "Compose file too large", "bomb.yml:"},
		{"big.yml", big, "Compose file too large", "big.yml:1:1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			_, diags := Load([]xhcl.File{{Name: tc.name, Data: []byte(tc.src)}}, Options{Dir: t.TempDir()})
			runtime.ReadMemStats(&after)
			if len(diags) != 1 || diags[0].Summary != tc.summary || tc.name == "big.yml" && !strings.Contains(diags[0].Detail, "larger than 1 MiB together") {
				t.Fatalf("diags = %v, want one %s", diags, tc.summary)
			}
			r := diags[0].Subject
			if at := fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column); !strings.HasPrefix(at, tc.at) {
				t.Errorf("at %s, want %s", at, tc.at)
			}
			// Parsing the YAML is the cost: about 50 times the file.
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64*uint64(len(tc.src))+32<<20 {
				t.Errorf("allocated %d MiB for a %d KiB file", alloc>>20, len(tc.src)>>10)
			}
		})
	}
	if !IsFile("stdin", []byte(big)) {
		t.Error("a Compose file over the size limit, on stdin, is not taken for Compose")
	}
}

// TestComposeLimitsKeepWorking: a Compose file near the node limit loads.
func TestComposeLimitsKeepWorking(t *testing.T) {
	var src strings.Builder
	src.WriteString("services:\n")
	for i := range MaxComposeNodes / 12 {
		fmt.Fprintf(&src, "  s%d:\n    build:\n      context: .\n      args: {A: x}\n", i)
	}
	cfg, diags := Load([]xhcl.File{{Name: "c.yml", Data: []byte(src.String())}}, Options{Dir: t.TempDir()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if len(cfg.Targets) != MaxComposeNodes/12 {
		t.Errorf("%d targets", len(cfg.Targets))
	}
}

// BenchmarkComposeNearLimits loads Compose files near the limits: the
// most services the node limit lets through, and a 1 MiB file whose
// thousands of variables are unset (a warning each, placed in the file).
func BenchmarkComposeNearLimits(b *testing.B) {
	var services strings.Builder
	services.WriteString("services:\n")
	for i := range MaxComposeNodes / 12 {
		fmt.Fprintf(&services, "  s%d:\n    build:\n      context: .\n      args: {A: x}\n", i)
	}
	var unset strings.Builder
	for unset.Len() < MaxComposeSize-MaxComposeNodes/2*24 {
		unset.WriteString("# " + strings.Repeat("pad ", 25) + "\n")
	}
	unset.WriteString("services:\n  app:\n    build:\n      context: .\n      args:\n")
	n := MaxComposeNodes/2 - 10
	for i := range n {
		fmt.Fprintf(&unset, "        A%d: ${V%d}\n", i, i)
	}
	for _, bc := range []struct {
		name     string
		src      string
		warnings int
	}{{"services", services.String(), 0}, {"unset-variables", unset.String(), n}} {
		b.Run(bc.name, func(b *testing.B) {
			dir := b.TempDir()
			for b.Loop() {
				_, diags := Load([]xhcl.File{{Name: "c.yml", Data: []byte(bc.src)}}, Options{Dir: dir})
				if diags.HasErrors() || len(diags) != bc.warnings {
					b.Fatalf("%d diagnostics, want %d warnings: %v", len(diags), bc.warnings, diags[:min(len(diags), 3)])
				}
			}
		})
	}
}
