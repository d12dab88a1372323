package plan

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
)

// errorf builds an error diagnostic about the definition.
func errorf(subject hcl.Range, summary, format string, args ...any) *hcl.Diagnostic {
	return xhcl.Errorf(&subject, summary, format, args...)
}

// requestErrorf builds an error about the Request rather than the
// definition: it has no place in any file, so it has no subject.
func requestErrorf(summary, format string, args ...any) *hcl.Diagnostic {
	return xhcl.Errorf(nil, summary, format, args...)
}

// sortDiags orders diagnostics by position and drops repeats.
func sortDiags(diags hcl.Diagnostics) hcl.Diagnostics { return xhcl.Sorted(diags) }

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
