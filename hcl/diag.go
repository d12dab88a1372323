package hcl

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
)

// Errorf returns an error diagnostic. summary is a sentence-case noun
// phrase without a period; detail is full sentences ending with a remedy.
func Errorf(subject *hcl.Range, summary, detail string, args ...any) *hcl.Diagnostic {
	return newDiag(hcl.DiagError, subject, summary, detail, args)
}

// Warnf returns a warning diagnostic; warnings never change the exit code.
func Warnf(subject *hcl.Range, summary, detail string, args ...any) *hcl.Diagnostic {
	return newDiag(hcl.DiagWarning, subject, summary, detail, args)
}

func newDiag(sev hcl.DiagnosticSeverity, subject *hcl.Range, summary, detail string, args []any) *hcl.Diagnostic {
	if len(args) > 0 {
		detail = fmt.Sprintf(detail, args...)
	}
	d := &hcl.Diagnostic{Severity: sev, Summary: summary, Detail: detail}
	if subject != nil && subject.Filename != "" {
		r := *subject
		d.Subject = &r
	}
	return d
}

// Sorted returns diags sorted by position (file, line, column), then by
// severity, summary and detail, with exact repeats removed, so every run
// prints each problem once and in reading order. Diagnostics without a
// position come first.
func Sorted(diags hcl.Diagnostics) hcl.Diagnostics {
	out := slices.Clone(diags)
	slices.SortStableFunc(out, compareDiags)
	return slices.CompactFunc(out, func(a, b *hcl.Diagnostic) bool { return compareDiags(a, b) == 0 })
}

func compareDiags(a, b *hcl.Diagnostic) int {
	if c := compareRanges(a.Subject, b.Subject); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Summary, b.Summary); c != 0 {
		return c
	}
	return cmp.Compare(a.Detail, b.Detail)
}

func compareRanges(a, b *hcl.Range) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Or(
		cmp.Compare(a.Filename, b.Filename),
		cmp.Compare(a.Start.Line, b.Start.Line),
		cmp.Compare(a.Start.Column, b.Start.Column),
		cmp.Compare(a.End.Line, b.End.Line),
		cmp.Compare(a.End.Column, b.End.Column),
	)
}

// TypeName names a type for messages, with its article: "a string",
// "an object", "a list of string", "any value".
func TypeName(t cty.Type) string {
	if t == cty.DynamicPseudoType {
		return "any value"
	}
	name := t.FriendlyName()
	switch name[0] {
	case 'a', 'e', 'i', 'o', 'u':
		return "an " + name
	}
	return "a " + name
}
