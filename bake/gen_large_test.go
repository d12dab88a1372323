package bake_test

import (
	"os"
	"testing"
)

// TestWriteLargeFile writes the benchmark's 5,000-target file for manual
// measurement: XBAKE_LARGE_FILE=/tmp/large/docker-bake.hcl go test ./bake -run TestWriteLargeFile
func TestWriteLargeFile(t *testing.T) {
	path := os.Getenv("XBAKE_LARGE_FILE")
	if path == "" {
		t.Skip("set XBAKE_LARGE_FILE to write the file")
	}
	if err := os.WriteFile(path, largeFile(300, 47, 100), 0o644); err != nil {
		t.Fatal(err)
	}
}
