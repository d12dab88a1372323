package builder

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestLoadFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "builders.json")
	write := func(s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(`[{"name":"amd","endpoint":"unix:///run/a.sock"},
	 {"name":"arm","endpoint":"tcp://127.0.0.1:1234","platforms":["linux/arm64"],"tls":{"server_name":"arm"}},
	 {"endpoint":"ssh://me@arm-box"}]`)
	b, err := LoadFile(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Nodes) != 3 || b.Nodes[1].TLS.ServerName != "arm" || b.Nodes[1].Platforms[0] != "linux/arm64" || b.Nodes[2].Name != "node2" {
		t.Errorf("%+v %+v", b.Nodes[1], b.Nodes[2])
	}

	for _, c := range []struct{ content, want string }{
		{`[{"name":"x","endpoint":"unix:///a","platfroms":["linux/arm64"]}]`, `json: unknown field "platfroms"`},
		{`[{"name":"x","endpoint":"unix:///a","platforms":"linux/arm64"}]`, `1:49: field "platforms": a JSON string where a list belongs`},
		{`[{"name":"x","endpoint":"127.0.0.1:1234"}]`, `builder "x": "127.0.0.1:1234" is not an address: it needs a scheme`},
		{`[{"name":"x","endpoint":"tcp://127.0.0.1:1","tls":{"ca":"ca.pem"}}]`, `builder "x": CA certificate ` + filepath.Join(dir, "ca.pem") + ` does not exist`},
		{`[]`, "no builders"},
		{`{"Name":"multi","Driver":"remote","Nodes":[{"Name":"multi0","Endpoint":"tcp://127.0.0.1:1"}],"Dynamic":false}`,
			path + " is a buildx builder (a file of its builder store), not a builders list: use --builder multi"},
		{`{"builders": []}`, "a builders file is a JSON list"},
	} {
		write(c.content)
		_, err := LoadFile(path, nil)
		if err == nil || !IsConfigError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant %s", c.content, err, c.want)
		}
	}
	if _, err := LoadFile("/dev/zero", nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("/dev/zero: %v", err)
	}
	// A FIFO nobody writes is refused at once, not waited on.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadFile(fifo, nil); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Errorf("FIFO: %v", err)
	}
}

// The kernel's binfmt_misc files, as a copy: a good handler, a disabled
// one, one without the F flag whose interpreter is gone, and none.
func TestCheckQEMU(t *testing.T) {
	dir := t.TempDir()
	interp := filepath.Join(dir, "qemu-aarch64-static")
	os.WriteFile(interp, nil, 0o755)
	os.WriteFile(filepath.Join(dir, "qemu-aarch64"), []byte("enabled\ninterpreter "+interp+"\nflags: OCF\noffset 0\nmagic 7f45\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "qemu-arm"), []byte("disabled\ninterpreter /usr/bin/qemu-arm-static\nflags: OCF\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "qemu-riscv64"), []byte("enabled\ninterpreter /nonexistent/qemu-riscv64\nflags: \n"), 0o644)
	os.WriteFile(filepath.Join(dir, "qemu-s390x"), []byte("enabled\ninterpreter "+interp+"\nflags: OC\n"), 0o644)
	var plats = parsePlatforms(t, "linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/arm/v6", "linux/riscv64", "linux/s390x", "linux/ppc64le", "linux/wasm")
	got := CheckQEMU(dir, "amd64", plats)
	want := []string{
		"linux/arm64: ",
		"linux/arm: linux/arm: the binfmt_misc handler qemu-arm is disabled; enable it: `update-binfmts --enable qemu-arm`",
		"linux/riscv64: linux/riscv64: the interpreter /nonexistent/qemu-riscv64 of qemu-riscv64 does not exist",
		"linux/s390x: linux/s390x: the binfmt_misc handler qemu-s390x lacks the F (fix binary) flag",
		"linux/ppc64le: linux/ppc64le: no binfmt_misc handler qemu-ppc64le is registered; install QEMU's user-mode emulators",
		"linux/wasm: linux/wasm: QEMU has no user-mode emulator for it",
	}
	if len(got) != len(want) {
		t.Fatalf("%d handlers, want %d: %+v", len(got), len(want), got)
	}
	for i, h := range got {
		if s := h.Platform + ": " + h.Problem(); !strings.HasPrefix(s, want[i]) {
			t.Errorf("%d: %s\nwant prefix %s", i, s, want[i])
		}
	}
	if h := got[0]; !h.Enabled || !h.FixBinary() || !h.InterpreterPresent || h.Interpreter != interp {
		t.Errorf("qemu-aarch64: %+v", h)
	}
}
