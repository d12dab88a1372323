package hcl

import (
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
)

// File is one bake definition as read from disk or stdin.
type File struct {
	// Name is the file name as the user gave it; it appears in diagnostics.
	Name string
	Data []byte
}

// StdinName is the name diagnostics use for a definition read from stdin.
const StdinName = "<stdin>"

// Parse parses files in order. ".json" files are HCL JSON and ".hcl" files
// HCL native syntax; any other name (and stdin) is tried as native syntax
// first and then as JSON, as buildx does. It returns every file that
// parsed, with the diagnostics of those that did not, and every file by
// name (parsed or not) for source snippets in diagnostics.
func Parse(files []File) ([]*hcl.File, map[string]*hcl.File, hcl.Diagnostics) {
	var out []*hcl.File
	byName := map[string]*hcl.File{}
	var diags hcl.Diagnostics
	for _, f := range files {
		hf, d := parseOne(f)
		clamp(d, len(f.Data))
		diags = append(diags, d...)
		if hf == nil {
			hf = &hcl.File{Bytes: f.Data}
		}
		byName[f.Name] = hf
		if !d.HasErrors() {
			out = append(out, hf)
		}
	}
	return out, byName, diags
}

func parseOne(f File) (*hcl.File, hcl.Diagnostics) {
	switch strings.ToLower(filepath.Ext(f.Name)) {
	case ".json":
		return parseJSON(f)
	case ".hcl":
		return parseNative(f)
	}
	hf, diags := parseNative(f)
	if !diags.HasErrors() {
		return hf, diags
	}
	if jf, jdiags := parseJSON(f); !jdiags.HasErrors() {
		return jf, jdiags
	}
	// Neither parsed: the native syntax errors are the useful ones for a
	// file that does not start with "{".
	return hf, diags
}

// parseNative and parseJSON measure a file before its parser sees it (see
// parsecheck.go).
func parseNative(f File) (*hcl.File, hcl.Diagnostics) {
	if d := checkNative(f.Data, f.Name); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	return hclsyntax.ParseConfig(f.Data, f.Name, hcl.InitialPos)
}

func parseJSON(f File) (*hcl.File, hcl.Diagnostics) {
	if d := checkJSON(f.Data, f.Name); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	return hcljson.Parse(f.Data, f.Name)
}

// clamp keeps the ranges of parse diagnostics inside the input: HCL's JSON
// scanner can point one byte past the end of a truncated file.
func clamp(diags hcl.Diagnostics, size int) {
	fix := func(r *hcl.Range) {
		if r == nil {
			return
		}
		if r.End.Byte > size {
			r.End.Byte = size
			if r.End.Column > 1 {
				r.End.Column--
			}
		}
		if r.Start.Byte > r.End.Byte {
			r.Start = r.End
		}
	}
	for _, d := range diags {
		fix(d.Subject)
		fix(d.Context)
	}
}
