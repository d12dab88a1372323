package hcl

// Suggest returns the candidate closest to name for a "Did you mean", or ""
// when none is within an edit distance of 2 (a swapped pair or a typo, but
// not an unrelated short word). Ties go to the earlier candidate.
func Suggest(name string, candidates []string) string {
	const limit = 3
	best, bestDist := "", limit
	for _, c := range candidates {
		if c == name {
			continue
		}
		if d := editDistance(name, c, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

func suggest(name string, candidates []string) string { return Suggest(name, candidates) }

// editDistance is the Levenshtein distance of a and b over bytes, or limit
// as soon as it is known to be at least limit.
func editDistance(a, b string, limit int) int {
	if d := len(a) - len(b); d >= limit || -d >= limit {
		return limit
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := i
		for j := 1; j <= len(b); j++ {
			sub := prev[j-1]
			if a[i-1] != b[j-1] {
				sub++
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, sub)
			best = min(best, cur[j])
		}
		if best >= limit {
			return limit
		}
		prev, cur = cur, prev
	}
	return min(prev[len(b)], limit)
}
