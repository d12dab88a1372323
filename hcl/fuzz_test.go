package hcl

import (
	"strings"
	"testing"
)

// FuzzParse parses arbitrary files as native syntax, JSON and stdin. It
// must never crash (a stack overflow cannot be recovered: deep nesting is
// refused before parsing), and every diagnostic must point inside the
// input.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`target "a" { tags = ["${x}"] }`))
	f.Add([]byte(`{"target": {"a": {"tags": ["${x}"]}}}`))
	f.Add([]byte("x = " + strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1)))
	f.Add([]byte("x = \"" + strings.Repeat("${\"", 600) + strings.Repeat("\"}", 600) + "\""))
	f.Add([]byte("x = \"" + strings.Repeat("%{ if true }", MaxNesting) + strings.Repeat("%{ endif }", MaxNesting) + "\""))
	f.Add([]byte(strings.Repeat("[", 2*MaxNesting) + strings.Repeat("]", 2*MaxNesting)))
	f.Add([]byte("x = <<EOT\n" + strings.Repeat("a\n", 50000) + "EOT\n"))
	f.Add([]byte(`{"x": "` + strings.Repeat(`\n$${`, 50000) + `"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		for _, name := range []string{"f.hcl", "f.json", StdinName} {
			_, _, diags := Parse([]File{{Name: name, Data: src}})
			for _, d := range diags {
				if r := d.Subject; r != nil && (r.Filename != name || r.Start.Byte < 0 || r.Start.Byte > r.End.Byte || r.End.Byte > len(src)) {
					t.Fatalf("%s: diagnostic %q has range %s outside the %d-byte input", name, d.Summary, r, len(src))
				}
			}
		}
	})
}
