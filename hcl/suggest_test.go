package hcl

import "testing"

// One rule for every "Did you mean": what bake suggested (typos of
// attributes and names, prefixes) and what the planner suggested
// (swapped letters, nothing for short words that are far apart).
func TestSuggest(t *testing.T) {
	attrs := []string{"platforms", "tags", "cache-from", "cache-to", "context", "contexts"}
	for _, tc := range []struct {
		name       string
		candidates []string
		want       string
	}{
		{"platfroms", attrs, "platforms"}, // a swap is one edit
		{"plaforms", attrs, "platforms"},
		{"cache_from", attrs, "cache-from"},
		{"cache", attrs, "cache-from"}, // a prefix, the first listed
		{"contexs", attrs, "context"},  // a tie: the first listed
		{"tag", attrs, "tags"},
		{"bsae", []string{"app", "base"}, "base"},
		{"amd46", []string{"amd64", "arm64", "arm"}, "amd64"},
		{"app", []string{"app-a", "app-b"}, "app-a"},
		{"lnux", []string{"linux", "windows"}, "linux"},
		{"beos", []string{"linux", "ios"}, ""}, // two edits of four letters
		{"v9", []string{"v5", "v6"}, ""},
		{"grp", []string{"app"}, ""},
		{"zzz", attrs, ""},
		{"", attrs, ""},
		{"größe", []string{"grösse", "größe2"}, "größe2"}, // letters, not bytes
	} {
		if got := Suggest(tc.name, tc.candidates); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
}
