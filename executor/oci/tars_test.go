package oci

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fsTar writes a filesystem tarball like a single-platform type=tar
// output: a root entry, directories, files, a hard link and a symlink.
func fsTar(t *testing.T, arch string) string {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range []*tar.Header{
		{Typeflag: tar.TypeDir, Name: "./", Mode: 0o755},
		{Typeflag: tar.TypeDir, Name: "bin/", Mode: 0o755},
		{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len("busybox for " + arch))},
		{Typeflag: tar.TypeLink, Name: "bin/sh", Linkname: "bin/busybox"},
		{Typeflag: tar.TypeSymlink, Name: "bin/ls", Linkname: "/bin/busybox"},
		{Typeflag: tar.TypeReg, Name: "./etc/arch", Mode: 0o644, Size: int64(len(arch)), Uid: 1000, Gid: 1000},
	} {
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		switch h.Name {
		case "bin/busybox":
			_, _ = tw.Write([]byte("busybox for " + arch))
		case "./etc/arch":
			_, _ = tw.Write([]byte(arch))
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), arch+".tar")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// entry is a tar header reduced to what the merge must keep.
type entry struct {
	Name, Linkname, Body string
	Type                 byte
	Mode                 int64
	UID                  int
}

func readTar(t *testing.T, path string) []entry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []entry
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		out = append(out, entry{Name: h.Name, Linkname: h.Linkname, Body: string(b), Type: h.Typeflag, Mode: h.Mode, UID: h.Uid})
	}
}

// mergeTars writes WriteMergedTar's tarball to a file of its own.
func mergeTars(t *testing.T, parts []TarPart) (string, error) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteMergedTar(&buf, parts); err != nil {
		return "", err
	}
	dst := filepath.Join(t.TempDir(), "out.tar")
	return dst, os.WriteFile(dst, buf.Bytes(), 0o644)
}

func TestMergeTars(t *testing.T) {
	dst, err := mergeTars(t, []TarPart{{linuxAMD64, fsTar(t, "amd64")}, {linuxARMv7, fsTar(t, "arm")}})
	if err != nil {
		t.Fatal(err)
	}
	var want []entry
	for _, p := range []struct{ dir, arch string }{{"linux_amd64", "amd64"}, {"linux_arm_v7", "arm"}} {
		want = append(want,
			entry{Name: p.dir + "/", Type: tar.TypeDir, Mode: 0o755},
			entry{Name: p.dir + "/bin/", Type: tar.TypeDir, Mode: 0o755},
			entry{Name: p.dir + "/bin/busybox", Type: tar.TypeReg, Mode: 0o755, Body: "busybox for " + p.arch},
			entry{Name: p.dir + "/bin/sh", Type: tar.TypeLink, Linkname: p.dir + "/bin/busybox"},
			entry{Name: p.dir + "/bin/ls", Type: tar.TypeSymlink, Linkname: "/bin/busybox"},
			entry{Name: p.dir + "/etc/arch", Type: tar.TypeReg, Mode: 0o644, Body: p.arch, UID: 1000},
		)
	}
	if diff := cmp.Diff(want, readTar(t, dst)); diff != "" {
		t.Errorf("merged tarball (-want +got):\n%s", diff)
	}
}

// Names too long for the old tar header still merge (the writer switches
// to PAX once the platform prefix is added).
func TestMergeTarsLongNames(t *testing.T) {
	long := strings.Repeat("d", 90) + "/" + strings.Repeat("f", 90)
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: long, Mode: 0o644, Size: 2})
	_, _ = tw.Write([]byte("ok"))
	_ = tw.Close()
	src := filepath.Join(t.TempDir(), "long.tar")
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	dst, err := mergeTars(t, []TarPart{{linuxARM64, src}})
	if err != nil {
		t.Fatal(err)
	}
	got := readTar(t, dst)
	if len(got) != 2 || got[1].Name != "linux_arm64/"+long || got[1].Body != "ok" {
		t.Errorf("entries = %+v", got)
	}
}

func TestMergeTarsErrors(t *testing.T) {
	good := fsTar(t, "amd64")
	escaping := func(h tar.Header) string {
		var buf bytes.Buffer
		tw := tar.NewWriter(&buf)
		_ = tw.WriteHeader(&h)
		_ = tw.Close()
		p := filepath.Join(t.TempDir(), "bad.tar")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name  string
		parts []TarPart
		want  string
	}{
		{"no parts", nil, "no parts"},
		{"same platform twice", []TarPart{{linuxAMD64, good}, {linuxAMD64, good}}, "platform linux/amd64 given twice"},
		{"dot-dot entry", []TarPart{{linuxAMD64, good}, {linuxARM64, escaping(tar.Header{Typeflag: tar.TypeReg, Name: "../../etc/passwd", Mode: 0o644})}}, `platform linux/arm64: reading`},
		{"dot-dot hard link", []TarPart{{linuxARM64, escaping(tar.Header{Typeflag: tar.TypeLink, Name: "x", Linkname: "../y"})}}, `hard link "linux_arm64/x" points outside`},
		{"missing part", []TarPart{{linuxAMD64, filepath.Join(t.TempDir(), "nope.tar")}}, "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := WriteMergedTar(io.Discard, tc.parts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestPlatformDir(t *testing.T) {
	for _, tc := range []struct {
		p    ocispec.Platform
		want string
	}{
		{linuxAMD64, "linux_amd64"},
		{linuxARMv7, "linux_arm_v7"},
		{ocispec.Platform{OS: "windows", Architecture: "amd64", OSVersion: "10.0.20348"}, "windows(10.0.20348)_amd64"},
	} {
		if got := platformDir(tc.p); got != tc.want {
			t.Errorf("platformDir(%+v) = %q, want %q", tc.p, got, tc.want)
		}
	}
}
