package hcl

import (
	"strings"
	"unicode/utf8"
)

// Suggest returns the candidate closest to name, for a "Did you mean %q?"
// hint, or "" when nothing is close. It is the one suggestion rule of
// xbake, for names in files and on the command line as for platforms.
//
// A candidate is close when it is at most two edits away and the edits
// are fewer than half of name, so that short words do not match
// everything ("beos" is not "ios", "v9" is not "v5"). A swap of two
// adjacent letters is one edit, since swaps are the commonest typo
// ("amd46", "bsae", "platfroms"). When nothing is that close, a candidate
// that starts with name, or that name starts with, is taken when the
// shorter of the two has at least 3 letters ("cache" finds
// "cache-from"). The smallest distance wins; ties go to the earlier
// candidate, so callers list the likeliest first.
func Suggest(name string, candidates []string) string {
	limit := min(2, (utf8.RuneCountInString(name)-1)/2) + 1
	best := ""
	for _, c := range candidates {
		if d := editDistance(name, c, limit); d < limit {
			best, limit = c, d
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
		if utf8.RuneCountInString(short) >= 3 && short != long && strings.HasPrefix(long, short) {
			return c
		}
	}
	return ""
}

// editDistance is the Levenshtein distance between the letters of as and
// bs, with a swap of two adjacent letters counted as one edit (optimal
// string alignment). It returns limit as soon as the distance is known to
// be limit or more.
func editDistance(as, bs string, limit int) int {
	a, b := []rune(as), []rune(bs)
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev2 := make([]int, len(b)+1) // row i-2
	prev := make([]int, len(b)+1)  // row i-1
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
			rowMin = min(rowMin, cur[j])
		}
		if rowMin >= limit {
			return limit
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return min(prev[len(b)], limit)
}
