package hcl

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// Diagnostic output formats.
const (
	FormatCompact = "compact" // one "file:line:col: severity: summary" line, then the detail
	FormatRich    = "rich"    // HCL's text writer with a source snippet
	FormatJSON    = "json"    // one JSON document for tools
)

// MaxPrinted is how many diagnostics the text formats print: a file that
// is not a definition at all can make a hundred thousand (a JSON object
// of repeated keys, a file of bad lines), which help nobody read the
// first ones. The JSON format lists them all, for tools.
const MaxPrinted = 100

// WriteDiagnostics prints diags, sorted, in format. files holds the parsed
// files by name, for the source snippets of the rich format.
func WriteDiagnostics(w io.Writer, diags hcl.Diagnostics, format string, files map[string]*hcl.File, width uint, color bool) error {
	diags = Sorted(diags)
	if format == FormatJSON {
		return writeJSON(w, diags)
	}
	if n := len(diags) - MaxPrinted; n > 0 {
		diags = diags[:MaxPrinted]
		defer fmt.Fprintf(w, "... and %d more errors and warnings (--diagnostics json lists them all)\n", n)
	}
	switch format {
	case FormatRich:
		tw := hcl.NewDiagnosticTextWriter(w, files, width, color)
		for _, d := range diags {
			if d.Subject == nil {
				// HCL's writer prints nothing useful without a range.
				writeCompact(w, d)
				continue
			}
			if err := tw.WriteDiagnostic(d); err != nil {
				return err
			}
		}
		return nil
	default:
		for _, d := range diags {
			writeCompact(w, d)
		}
		return nil
	}
}

func writeCompact(w io.Writer, d *hcl.Diagnostic) {
	sev := "error"
	if d.Severity == hcl.DiagWarning {
		sev = "warning"
	}
	if d.Subject != nil {
		fmt.Fprintf(w, "%s:%d:%d: ", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
	}
	fmt.Fprintf(w, "%s: %s\n", sev, d.Summary)
	if d.Detail != "" {
		for _, line := range strings.Split(d.Detail, "\n") {
			fmt.Fprintf(w, "\t%s\n", line)
		}
	}
}

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
	Byte   int `json:"byte"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiag struct {
	Severity string     `json:"severity"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail,omitempty"`
	Range    *jsonRange `json:"range,omitempty"`
}

func writeJSON(w io.Writer, diags hcl.Diagnostics) error {
	out := struct {
		Diagnostics []jsonDiag `json:"diagnostics"`
		Errors      int        `json:"errors"`
		Warnings    int        `json:"warnings"`
	}{Diagnostics: []jsonDiag{}}
	for _, d := range diags {
		jd := jsonDiag{Severity: "error", Summary: d.Summary, Detail: d.Detail}
		if d.Severity == hcl.DiagWarning {
			jd.Severity = "warning"
			out.Warnings++
		} else {
			out.Errors++
		}
		if r := d.Subject; r != nil {
			jd.Range = &jsonRange{
				Filename: r.Filename,
				Start:    jsonPos{r.Start.Line, r.Start.Column, r.Start.Byte},
				End:      jsonPos{r.End.Line, r.End.Column, r.End.Byte},
			}
		}
		out.Diagnostics = append(out.Diagnostics, jd)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
