package executor

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/xbake/xbake/bake"
)

// TestReadFileMaxRefuses: devices, FIFOs and files over the limit are
// refused at once (a FIFO without a writer would block a plain open).
func TestReadFileMaxRefuses(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	big := filepath.Join(dir, "big")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", 1<<20+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ path, want string }{
		{"/dev/zero", "/dev/zero is not a regular file"},
		{fifo, fifo + " is not a regular file"},
		{big, big + " is larger than 1024 KiB, the limit for a secret"},
	} {
		if _, err := readFileMax(tc.path, 1<<20, "a secret"); err == nil || err.Error() != tc.want {
			t.Errorf("readFileMax(%s) = %v, want %s", tc.path, err, tc.want)
		}
	}
	s := &secretStore{m: map[string]bake.Secret{"z": {ID: "z", FilePath: "/dev/zero"}}}
	if _, err := s.GetSecret(context.Background(), "z"); err == nil || err.Error() != "secret z: /dev/zero is not a regular file" {
		t.Errorf("GetSecret = %v", err)
	}
}
