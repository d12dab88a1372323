package schema_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/xbake/xbake/schema"
)

// TestCommittedSchemas keeps the committed copies, which editors and CI
// jobs point at, equal to what the definitions generate.
func TestCommittedSchemas(t *testing.T) {
	for _, tc := range []struct {
		file string
		gen  func() ([]byte, error)
	}{
		{"xbake.schema.json", schema.JSONSchema},
		{"print.schema.json", schema.PrintSchema},
	} {
		t.Run(tc.file, func(t *testing.T) {
			want, err := tc.gen()
			if err != nil {
				t.Fatal(err)
			}
			again, err := tc.gen()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(want, again) {
				t.Fatal("two runs generated different output")
			}
			if os.Getenv("XBAKE_UPDATE") == "1" {
				if err := os.WriteFile(tc.file, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(tc.file)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("schema/%s is stale: run `XBAKE_UPDATE=1 go test ./schema`", tc.file)
			}
		})
	}
}
