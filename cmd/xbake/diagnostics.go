package main

import (
	"os"

	"github.com/hashicorp/hcl/v2"
	"golang.org/x/term"

	xhcl "github.com/xbake/xbake/hcl"
)

// diagPrinter renders diagnostics in the format chosen by --diagnostics.
type diagPrinter struct {
	a      *app
	format string // auto, compact, rich, json
	files  map[string]*hcl.File
}

// print writes diags to stderr and returns an exit error (code 2) when any
// of them is an error.
func (p *diagPrinter) print(diags hcl.Diagnostics) error {
	if len(diags) == 0 {
		return nil
	}
	format := p.format
	width := uint(100)
	color := false
	if format == "" || format == "auto" {
		format = xhcl.FormatCompact
		if f, ok := p.a.stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
			format = xhcl.FormatRich
			if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
				width = uint(w)
			}
			color = p.a.getenv("NO_COLOR") == ""
		}
	}
	if err := xhcl.WriteDiagnostics(p.a.stderr, diags, format, p.files, width, color); err != nil {
		return err
	}
	if diags.HasErrors() {
		return &exitError{code: exitUsage}
	}
	return nil
}
