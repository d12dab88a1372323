package hcl

import (
	"strings"

	"github.com/agext/levenshtein"
)

// Suggest returns the candidate closest to name, for a "Did you mean %q?"
// hint, or "" when nothing is close. Like HCL's own suggestions it accepts
// an edit distance of at most 2 ("platfroms", "cache_from"); it also
// accepts a candidate that starts with name, or that name starts with,
// when the shorter of the two has at least 4 characters ("cache" finds
// "cache-from"). The smallest distance wins; ties go to the earlier
// candidate, so callers list the likeliest first.
func Suggest(name string, candidates []string) string {
	best, bestDist := "", 3
	for _, c := range candidates {
		if d := levenshtein.Distance(name, c, nil); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" {
		return best
	}
	for _, c := range candidates {
		short, long := name, c
		if len(short) > len(long) {
			short, long = long, short
		}
		if len(short) >= 4 && short != long && strings.HasPrefix(long, short) {
			return c
		}
	}
	return ""
}
