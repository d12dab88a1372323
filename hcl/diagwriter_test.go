package hcl

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestWriteDiagnosticsCap: the text formats print the first MaxPrinted
// diagnostics and say how many more there are (a 15 MB JSON file of
// repeated keys printed 177 MB of errors); JSON lists them all.
func TestWriteDiagnosticsCap(t *testing.T) {
	var diags hcl.Diagnostics
	for i := range MaxPrinted + 5 {
		rng := hcl.Range{Filename: "f.json", Start: hcl.Pos{Line: 1, Column: i + 1, Byte: i}, End: hcl.Pos{Line: 1, Column: i + 2, Byte: i + 1}}
		diags = append(diags, &hcl.Diagnostic{Severity: hcl.DiagError, Summary: "Duplicate argument", Subject: &rng})
	}
	for _, format := range []string{FormatCompact, FormatRich} {
		var b bytes.Buffer
		if err := WriteDiagnostics(&b, diags, format, nil, 100, false); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		if n := strings.Count(out, "Duplicate argument"); n != MaxPrinted {
			t.Errorf("%s: %d diagnostics printed, want %d", format, n, MaxPrinted)
		}
		if want := fmt.Sprintf("f.json:1:%d: error", MaxPrinted); format == FormatCompact && !strings.Contains(out, want) {
			t.Errorf("%s: the last printed is not the %dth:\n%s", format, MaxPrinted, out)
		}
		if !strings.HasSuffix(out, "\n... and 5 more errors and warnings (--diagnostics json lists them all)\n") {
			t.Errorf("%s: output does not end with the count of the others:\n%s", format, out[max(0, len(out)-300):])
		}
	}
	var b bytes.Buffer
	if err := WriteDiagnostics(&b, diags, FormatJSON, nil, 100, false); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Diagnostics []json.RawMessage
		Errors      int
	}
	if err := json.Unmarshal(b.Bytes(), &got); err != nil || len(got.Diagnostics) != MaxPrinted+5 || got.Errors != MaxPrinted+5 {
		t.Errorf("json: %d diagnostics, %d errors, %v", len(got.Diagnostics), got.Errors, err)
	}
}
