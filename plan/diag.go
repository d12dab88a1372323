package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
)

// errorf builds an error diagnostic. The subject is copied so callers can
// pass the address of a temporary.
func errorf(subject hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
		Subject:  &subject,
	}
}

// requestErrorf builds an error about the Request rather than the
// definition: it has no place in any file, so it has no subject.
func requestErrorf(summary, format string, args ...any) *hcl.Diagnostic {
	return &hcl.Diagnostic{
		Severity: hcl.DiagError,
		Summary:  summary,
		Detail:   fmt.Sprintf(format, args...),
	}
}

// sortDiags orders diagnostics by position (file, line, column), then by
// summary and detail, and drops exact repeats, so one run reports each
// problem once and in reading order. Diagnostics without a subject (about
// the Request) come first.
func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	slices.SortStableFunc(diags, compareDiags)
	return slices.CompactFunc(diags, func(a, b *hcl.Diagnostic) bool {
		return compareDiags(a, b) == 0
	})
}

func compareDiags(a, b *hcl.Diagnostic) int {
	if c := compareSubjects(a.Subject, b.Subject); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Severity, b.Severity); c != 0 {
		return c
	}
	if c := strings.Compare(a.Summary, b.Summary); c != 0 {
		return c
	}
	return strings.Compare(a.Detail, b.Detail)
}

func compareSubjects(a, b *hcl.Range) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if c := strings.Compare(a.Filename, b.Filename); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Start.Line, b.Start.Line); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Start.Column, b.Start.Column); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Start.Byte, b.Start.Byte); c != 0 {
		return c
	}
	if c := cmp.Compare(a.End.Line, b.End.Line); c != 0 {
		return c
	}
	return cmp.Compare(a.End.Column, b.End.Column)
}

// quoteList renders values as `"a", "b" and "c"` for details.
func quoteList(vals []string) string {
	q := make([]string, len(vals))
	for i, v := range vals {
		q[i] = fmt.Sprintf("%q", v)
	}
	return andList(q)
}

// andList joins words as "a, b and c".
func andList(words []string) string {
	switch len(words) {
	case 0:
		return ""
	case 1:
		return words[0]
	}
	return strings.Join(words[:len(words)-1], ", ") + " and " + words[len(words)-1]
}
