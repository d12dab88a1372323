package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake/baketest"
)

// BenchmarkCompleteTargets completes target names of a definition of
// 5,000 targets (300 inheriting a common one, one 47x100 matrix), in
// process: what a TAB costs beyond starting the binary.
func BenchmarkCompleteTargets(b *testing.B) {
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), baketest.Large(300, 47, 100), 0o644); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		var stdout bytes.Buffer
		a := &app{
			stdin: strings.NewReader(""), stdout: &stdout, stderr: io.Discard,
			getenv: func(string) string { return "" }, environ: func() []string { return nil },
			getwd: func() (string, error) { return dir, nil },
		}
		if code := run(a, []string{"__complete", "--print", "svc-1"}); code != exitOK || !strings.HasPrefix(stdout.String(), "svc-1\n") {
			b.Fatalf("exit %d: %.200s", code, stdout.String())
		}
	}
}
