package bake

import (
	"encoding/json"
	"testing"
)

// FuzzJSONString checks the hand-written string quoting against
// encoding/json, which buildx's --print uses.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `"q" \ /`, "<a & b>", "\x00\x01\b\f\n\r\t\x1f", "é ü 日本", "\u2028\u2029", "\xff\xfe bad", "${X} %{Y}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendJSONString(nil, s); string(got) != string(want) {
			t.Fatalf("appendJSONString(%q) = %s, want %s", s, got, want)
		}
	})
}
