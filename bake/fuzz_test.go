package bake_test

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// FuzzLoad loads, resolves and prints arbitrary bake files. It must never
// panic, and every diagnostic must point inside the input.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("../examples/*/*.hcl")
	more, _ := filepath.Glob("testdata/*/*.hcl")
	for _, name := range append(seeds, more...) {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, false)
		}
	}
	f.Add(largeFile(2, 2, 2), false)
	f.Add([]byte(`{"target": {"a": {"platforms": ["linux/amd64"], "args": {"A": "${1+1}"}}}}`), true)
	f.Add([]byte("variable \"V\" {\n  type = list(string)\n  default = [\"a\"]\n  validation {\n    condition = length(V) > 0\n  }\n}\ntarget \"a\" {\n  tags = V\n  matrix = { x = [1, 2] }\n  name = \"a-${x}\"\n}\n"), false)
	// Nesting and size: refused with a position, never a crash or a
	// runaway (hcl's TestEvalLimits and TestParseNesting hold the figures).
	f.Add([]byte("x = "+strings.Repeat("(", xhcl.MaxNesting+1)+"1"+strings.Repeat(")", xhcl.MaxNesting+1)), false)
	f.Add([]byte(strings.Repeat("[", xhcl.MaxNesting+1)+strings.Repeat("]", xhcl.MaxNesting+1)), true)
	f.Add([]byte("function \"d\" {\n  params = [s]\n  result = \"${s}${s}\"\n}\ntarget \"a\" {\n  args = { A = d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(d(\"ab\")))))))))))))))))))))) }\n}\n"), false)
	f.Add([]byte("target \"a\" {\n  tags = [for x in setproduct(range(100), range(100), range(100)) : join(\"-\", x)]\n}\n"), false)
	f.Add([]byte(`{"target": {"a": {"args": {"A": "${indent(999999999, \"a\nb\")}"}}}}`), true)
	f.Fuzz(func(t *testing.T, src []byte, asJSON bool) {
		name := "docker-bake.hcl"
		if asJSON {
			name = "docker-bake.json"
		}
		files, _, diags := xhcl.Parse([]xhcl.File{{Name: name, Data: src}})
		checkRanges(t, name, src, diags)
		if diags.HasErrors() {
			return
		}
		cfg, diags := bake.Load(files, bake.Options{Vars: map[string]string{"V": "x,y"}})
		checkRanges(t, name, src, diags)
		def, diags := cfg.Resolve(bake.Request{Targets: append(cfg.TargetNames(), cfg.GroupNames()...)})
		checkRanges(t, name, src, diags)
		if def != nil {
			if err := def.WritePrint(io.Discard); err != nil {
				t.Fatalf("print: %v", err)
			}
		}
	})
}

func checkRanges(t *testing.T, name string, src []byte, diags hcl.Diagnostics) {
	t.Helper()
	for _, d := range diags {
		if d.Subject == nil {
			continue
		}
		r := d.Subject
		if r.Filename != name || r.Start.Byte < 0 || r.Start.Byte > r.End.Byte || r.End.Byte > len(src) {
			t.Fatalf("diagnostic %q has range %s outside the %d-byte input", d.Summary, r, len(src))
		}
	}
}
