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

// Sorted returns diags sorted by file, line, column and summary, with exact
// repeats removed, so every run prints the same thing in reading order.
// Diagnostics without a position come first.
func Sorted(diags hcl.Diagnostics) hcl.Diagnostics {
	out := slices.Clone(diags)
	slices.SortStableFunc(out, compareDiags)
	return slices.CompactFunc(out, func(a, b *hcl.Diagnostic) bool {
		return compareDiags(a, b) == 0 && a.Detail == b.Detail && a.Severity == b.Severity
	})
}

func compareDiags(a, b *hcl.Diagnostic) int {
	ra, rb := subjectOf(a), subjectOf(b)
	if c := cmp.Compare(ra.Filename, rb.Filename); c != 0 {
		return c
	}
	if c := cmp.Compare(ra.Start.Line, rb.Start.Line); c != 0 {
		return c
	}
	if c := cmp.Compare(ra.Start.Column, rb.Start.Column); c != 0 {
		return c
	}
	return cmp.Compare(a.Summary, b.Summary)
}

func subjectOf(d *hcl.Diagnostic) hcl.Range {
	if d.Subject != nil {
		return *d.Subject
	}
	return hcl.Range{}
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
