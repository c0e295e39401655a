package spec

import (
	"strings"
)

// closest returns the valid key most similar to key, or "" when none is
// close enough to be a plausible typo. Keys are compared case-insensitively
// with '_' and '-' removed first (so numberOfWorkers finds
// number_of_workers), then by Levenshtein distance, allowing about one edit
// per three characters (at least 2).
func closest(key string, valid []string) string {
	norm := func(s string) string {
		return strings.NewReplacer("_", "", "-", "").Replace(strings.ToLower(s))
	}
	nk := norm(key)
	if len(nk) > maxKeyLen {
		return ""
	}
	best, bestDist := "", -1
	for _, v := range valid {
		d := levenshtein(nk, norm(v))
		if bestDist < 0 || d < bestDist {
			best, bestDist = v, d
		}
	}
	limit := len(nk) / 3
	switch {
	case len(nk) >= 5 && limit < 3:
		limit = 3
	case limit < 2:
		limit = 2
	}
	if bestDist < 0 || bestDist > limit {
		return ""
	}
	return best
}

// maxKeyLen bounds the keys closest compares: longer ones are not typos of
// a spec key, and the bound keeps the work on hostile input small.
const maxKeyLen = 64

// levenshtein returns the edit distance between a and b (bytes; keys are
// ASCII). Inputs longer than maxKeyLen are reported as maxKeyLen apart.
func levenshtein(a, b string) int {
	if len(a) > maxKeyLen || len(b) > maxKeyLen {
		return maxKeyLen
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
