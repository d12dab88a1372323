package localfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xbake/xbake/localfile"
)

// Read refuses devices, FIFOs, folders and files over the limit at once
// (a FIFO without a writer would block a plain open), and reads the rest.
func TestRead(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", 1<<20+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte(strings.Repeat(" ", 1<<20)), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("ok", link); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want, reason string }{
		{"/dev/zero", "/dev/zero is not a regular file", "is not a regular file"},
		{fifo, fifo + " is not a regular file", "is not a regular file"},
		{dir, dir + " is not a regular file", "is not a regular file"},
		{big, big + " is larger than 1 MiB", "is larger than 1 MiB"},
	} {
		_, err := localfile.Read(tc.path, 1<<20)
		var le *localfile.Error
		if !errors.As(err, &le) || err.Error() != tc.want || le.Reason() != tc.reason {
			t.Errorf("Read(%s) = %v, want %s", tc.path, err, tc.want)
		}
	}
	for _, p := range []string{ok, link} {
		if dt, err := localfile.Read(p, 1<<20); err != nil || len(dt) != 1<<20 {
			t.Errorf("Read(%s) = %d bytes, %v", p, len(dt), err)
		}
	}
	if _, err := localfile.Read(filepath.Join(dir, "missing"), 1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{16 << 20: "16 MiB", 512 << 10: "512 KiB", 1000: "1000 bytes", 1<<20 + 1: "1048577 bytes"} {
		if got := localfile.FormatSize(n); got != want {
			t.Errorf("FormatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// Resolve resolves the links of what exists and keeps the rest: a path
// not created yet, a link that points nowhere.
func TestResolve(t *testing.T) {
	root := t.TempDir()
	real := filepath.Join(root, "real")
	if err := os.MkdirAll(filepath.Join(real, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	realRoot, err := filepath.EvalSymlinks(root) // the temp folder may be behind a link
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(root, "via")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/nowhere/at/all", filepath.Join(real, "dangling")); err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]string{
		filepath.Join(root, "via", "sub"):               filepath.Join(realRoot, "real", "sub"),
		filepath.Join(root, "via", "new", "file.txt"):   filepath.Join(realRoot, "real", "new", "file.txt"),
		filepath.Join(root, "via", "dangling", "x"):     filepath.Join(realRoot, "real", "dangling", "x"),
		filepath.Join(root, "via", "sub", "..", "sub2"): filepath.Join(realRoot, "real", "sub2"),
	} {
		if got := localfile.Resolve(in); got != want {
			t.Errorf("Resolve(%s) = %s, want %s", in, got, want)
		}
	}
}
