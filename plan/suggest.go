package plan

// closest returns the candidate nearest to s, or "" when none is near
// enough: at most two edits, and fewer than half of s, so that short words
// do not match everything ("beos" is not "ios", "v9" is not "v5"). Ties go
// to the earlier candidate, so callers list the likeliest first.
func closest(s string, candidates []string) string {
	limit := min(2, (len(s)-1)/2) + 1
	best := ""
	for _, c := range candidates {
		if d := editDistance(s, c, limit); d < limit {
			best, limit = c, d
		}
	}
	return best
}

// editDistance is the Levenshtein distance with a swap of two adjacent
// letters counted as one edit (optimal string alignment), since swaps are
// the commonest typo in names like "amd46" or "bsae". It works on bytes
// (every name it compares is ASCII) and returns limit as soon as the
// distance is known to be limit or more.
func editDistance(a, b string, limit int) int {
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
