package builder

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BinfmtDir is where the kernel lists its binfmt_misc handlers.
const BinfmtDir = "/proc/sys/fs/binfmt_misc"

// qemuNames are the binfmt_misc handler names QEMU's user-mode emulators
// register under (Debian's qemu-user-static and tonistiigi/binfmt alike),
// by GOARCH.
var qemuNames = map[string]string{
	"amd64":    "qemu-x86_64",
	"386":      "qemu-i386",
	"arm64":    "qemu-aarch64",
	"arm":      "qemu-arm",
	"riscv64":  "qemu-riscv64",
	"ppc64":    "qemu-ppc64",
	"ppc64le":  "qemu-ppc64le",
	"mips":     "qemu-mips",
	"mipsle":   "qemu-mipsel",
	"sparc64":  "qemu-sparc64",
	"s390x":    "qemu-s390x",
	"mips64le": "qemu-mips64el",
	"mips64":   "qemu-mips64",
	"loong64":  "qemu-loongarch64",
}

// QEMUHandler is the binfmt_misc registration that lets this machine run
// one foreign platform's binaries, as the kernel shows it.
type QEMUHandler struct {
	Platform string // "linux/arm64"
	Name     string // "qemu-aarch64"; "" when QEMU has no emulator for it
	// Registered: the handler file exists; Enabled: its first line says so.
	Registered, Enabled bool
	Interpreter         string
	// InterpreterPresent: the interpreter file exists. With the F flag the
	// kernel opened it at registration and it is not needed any more.
	InterpreterPresent bool
	Flags              string
}

// FixBinary reports the F flag: the kernel keeps the interpreter open, so
// it works inside containers, whose file systems do not have it.
func (h *QEMUHandler) FixBinary() bool { return strings.Contains(h.Flags, "F") }

// Problem says what is wrong with the handler and how to fix it, in one
// line; "" when it is ready for BuildKit.
func (h *QEMUHandler) Problem() string {
	install := "install QEMU's user-mode emulators: `apt-get install qemu-user-static binfmt-support` (Debian, Ubuntu), or `docker run --privileged --rm tonistiigi/binfmt --install all`"
	switch {
	case h.Name == "":
		return fmt.Sprintf("%s: QEMU has no user-mode emulator for it; build it on a native node", h.Platform)
	case !h.Registered:
		return fmt.Sprintf("%s: no binfmt_misc handler %s is registered; %s", h.Platform, h.Name, install)
	case !h.Enabled:
		return fmt.Sprintf("%s: the binfmt_misc handler %s is disabled; enable it: `update-binfmts --enable %s` (or `echo 1 > %s`)", h.Platform, h.Name, h.Name, filepath.Join(BinfmtDir, h.Name))
	case !h.InterpreterPresent && !h.FixBinary():
		return fmt.Sprintf("%s: the interpreter %s of %s does not exist; %s", h.Platform, h.Interpreter, h.Name, install)
	case !h.FixBinary():
		return fmt.Sprintf("%s: the binfmt_misc handler %s lacks the F (fix binary) flag, so builds in containers cannot find %s; re-register it with the flag: `docker run --privileged --rm tonistiigi/binfmt --install %s` (or update-binfmts with --fix-binary yes)", h.Platform, h.Name, h.Interpreter, platforms.MustParse(h.Platform).Architecture)
	}
	return ""
}

// CheckQEMU reads the binfmt_misc handlers of the platforms this machine
// (GOARCH hostArch) does not run natively, in the order given. dir is
// BinfmtDir, or a copy of it in tests.
func CheckQEMU(dir, hostArch string, plats []ocispec.Platform) []QEMUHandler {
	var out []QEMUHandler
	seen := map[string]bool{}
	for _, p := range plats {
		if p.OS != "linux" || p.Architecture == hostArch || (hostArch == "amd64" && p.Architecture == "386") || seen[p.Architecture] {
			continue
		}
		seen[p.Architecture] = true
		h := QEMUHandler{Platform: platforms.Format(ocispec.Platform{OS: p.OS, Architecture: p.Architecture}), Name: qemuNames[p.Architecture]}
		if h.Name != "" {
			h.read(filepath.Join(dir, h.Name))
		}
		out = append(out, h)
	}
	return out
}

// read parses a handler file:
//
//	enabled
//	interpreter /usr/libexec/qemu-binfmt/aarch64-binfmt-P
//	flags: PF
//	offset 0
//	...
func (h *QEMUHandler) read(path string) {
	dt, err := os.ReadFile(path)
	if err != nil {
		return
	}
	h.Registered = true
	sc := bufio.NewScanner(bytes.NewReader(dt))
	for first := true; sc.Scan(); first = false {
		line := sc.Text()
		switch {
		case first:
			h.Enabled = line == "enabled"
		case strings.HasPrefix(line, "interpreter "):
			h.Interpreter = strings.TrimPrefix(line, "interpreter ")
		case strings.HasPrefix(line, "flags:"):
			h.Flags = strings.TrimSpace(strings.TrimPrefix(line, "flags:"))
		}
	}
	if h.Interpreter != "" {
		_, err := os.Stat(h.Interpreter)
		h.InterpreterPresent = err == nil
	}
}
