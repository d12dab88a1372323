package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// endless is a stream that never ends (like /dev/zero on stdin). It fails
// after max bytes, so that a reader without a cap ends the test with a
// wrong message instead of exhausting the machine's memory.
type endless struct{ read, max int }

func (e *endless) Read(p []byte) (int, error) {
	if e.read >= e.max {
		return 0, errors.New("endless: read without a cap")
	}
	n := min(len(p), e.max-e.read)
	clear(p[:n])
	e.read += n
	return n, nil
}

// TestReadFilesCapsStdin: "-f - </dev/zero" reads at most the cap and says
// why it stopped.
func TestReadFilesCapsStdin(t *testing.T) {
	src := &endless{max: 4 * maxDefinitionFile}
	a := &app{stdin: src, getwd: func() (string, error) { return t.TempDir(), nil }}
	_, err := a.readFiles([]string{"-"})
	want := "reading stdin: it is larger than 16 MiB, the limit for a definition file; split it into several files (-f a.hcl -f b.hcl)"
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if src.read > maxDefinitionFile+64<<10 {
		t.Errorf("read %d bytes for a cap of %d", src.read, maxDefinitionFile)
	}
}

// TestReadFilesRefusesDevices: devices and directories are refused by
// name, before any byte is read; regular files and pipes are read.
func TestReadFilesRefusesDevices(t *testing.T) {
	dir := t.TempDir()
	a := &app{stdin: strings.NewReader(""), getwd: func() (string, error) { return dir, nil }}
	for _, tc := range []struct{ name, want string }{
		{"/dev/zero", "reading /dev/zero: it is a device, not a file; give a file, or - to read stdin"},
		{"/dev/urandom", "reading /dev/urandom: it is a device, not a file; give a file, or - to read stdin"},
		{".", "reading .: it is a directory; name a file in it"},
	} {
		_, err := a.readFiles([]string{tc.name})
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.want)
		}
	}

	fifo := filepath.Join(dir, "defs.fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	go func() {
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			_, _ = io.WriteString(f, `target "x" {}`)
			f.Close()
		}
	}()
	files, err := a.readFiles([]string{"defs.fifo"})
	if err != nil || len(files) != 1 || string(files[0].Data) != `target "x" {}` {
		t.Fatalf("fifo: %v %v", files, err)
	}
}

// TestReadFilesCapsFiles: a file over the cap is refused by name, and so
// are files that are over the total together.
func TestReadFilesCapsFiles(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("# comment line\n"), maxDefinitionFile/15+1)
	if err := os.WriteFile(filepath.Join(dir, "big.hcl"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	part := big[:maxDefinitionFile-1]
	for _, n := range []string{"a.hcl", "b.hcl", "c.hcl", "d.hcl", "e.hcl"} {
		if err := os.WriteFile(filepath.Join(dir, n), part, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	a := &app{getwd: func() (string, error) { return dir, nil }}
	_, err := a.readFiles([]string{"big.hcl"})
	if want := "reading big.hcl: it is larger than 16 MiB, the limit for a definition file; split it into several files (-f a.hcl -f b.hcl)"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
	_, err = a.readFiles([]string{"a.hcl", "b.hcl", "c.hcl", "d.hcl", "e.hcl"})
	if want := "reading e.hcl: the definition files are larger than 64 MiB together, the limit for one run"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %s", err, want)
	}
}

// TestReadRemoteFileStaysInside: a remote tree cannot make xbake read a
// local file through a symbolic link, in the file or in the subdirectory
// the URL names.
func TestReadRemoteFileStaysInside(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret.hcl")
	if err := os.WriteFile(secret, []byte(`target "x" {}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tree := t.TempDir()
	for link, to := range map[string]string{"docker-bake.hcl": secret, "sub": outside, "zero.hcl": "/dev/zero"} {
		if err := os.Symlink(to, filepath.Join(tree, link)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(tree, "ok.hcl"), []byte("# ok"), 0o644); err != nil {
		t.Fatal(err)
	}
	const escape = "it is a symbolic link to a file outside the definition's tree"
	for _, tc := range []struct{ root, name, want string }{
		{tree, "docker-bake.hcl", escape},
		{filepath.Join(tree, "sub"), "secret.hcl", escape},
		{tree, "../../" + filepath.Base(outside) + "/secret.hcl", "no such file or directory"},
		{tree, "zero.hcl", escape},
		{tree, "ok.hcl", ""},
	} {
		_, err := readRemoteFile(tree, tc.root, tc.name)
		if got := fmt.Sprint(unwrapPathError(err)); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("%s in %s: err = %v, want %q", tc.name, tc.root, err, tc.want)
		}
	}
}
