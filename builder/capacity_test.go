package builder

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestMaxParallelism(t *testing.T) {
	for _, c := range []struct {
		toml string
		want int
	}{
		{"", 0},
		{"[worker.oci]\n  max-parallelism = 2\n", 2},
		{"max-parallelism = 3\n", 0}, // not a worker's
		{"[worker.oci]\nmax-parallelism = 4 # cores\n[worker.containerd]\nmax-parallelism = 3\n", 3},
		{"[worker.oci]\nenabled = true\n[registry.\"localhost:5000\"]\nmax-parallelism = 1\n", 0},
		{"[ worker . \"oci\" ]\n\"max-parallelism\" = 1_6\n", 16},
		{"[worker.oci]\nmax-parallelism = -1\n", 0},
		{"worker.oci.max-parallelism = 5\n", 5},
		{"[worker]\ncontainerd = { max-parallelism = 6 }\n", 6},
		{"[worker.oci\nmax-parallelism = 2\n", 0}, // not TOML
	} {
		if got := maxParallelism([]byte(c.toml)); got != c.want {
			t.Errorf("%q: %d, want %d", c.toml, got, c.want)
		}
	}
}

// 386 on an amd64 host is native; 32-bit arm on an arm64 host is native
// only where no QEMU handler serves it; other architectures never.
func TestNativeCompatible(t *testing.T) {
	ps := func(ss ...string) []ocispec.Platform {
		var out []ocispec.Platform
		for _, s := range ss {
			out = append(out, platforms.Normalize(platforms.MustParse(s)))
		}
		return out
	}
	format := func(ps []ocispec.Platform) []string {
		var out []string
		for _, p := range ps {
			out = append(out, platforms.Format(p))
		}
		return out
	}
	amd := ps("linux/amd64", "linux/amd64/v2", "linux/arm64", "linux/386", "linux/arm/v7", "linux/arm/v6")
	if got := format(Native(nil, amd)); !slices.Equal(got, []string{"linux/amd64", "linux/amd64/v2", "linux/386"}) {
		t.Errorf("amd64 host: %v", got)
	}
	arm := ps("linux/arm64", "linux/amd64", "linux/arm/v7", "linux/arm/v6")
	if got := format(Native(nil, arm)); !slices.Equal(got, []string{"linux/arm64"}) {
		t.Errorf("remote arm64 host: %v", got)
	}
	if got := format(native(nil, arm, func(string) bool { return false })); !slices.Equal(got, []string{"linux/arm64", "linux/arm/v7", "linux/arm/v6"}) {
		t.Errorf("arm64 host running arm itself: %v", got)
	}
	if got := format(Native([]string{"linux/arm64", "linux/arm/v7"}, arm)); !slices.Equal(got, []string{"linux/arm64", "linux/arm/v7"}) {
		t.Errorf("declared: %v", got)
	}

	dir := t.TempDir()
	if qemuEnabled(dir, "arm") {
		t.Error("no handler: enabled")
	}
	os.WriteFile(filepath.Join(dir, "qemu-arm"), []byte("enabled\ninterpreter /usr/bin/qemu-arm-static\nflags: F\n"), 0o644)
	if !qemuEnabled(dir, "arm") {
		t.Error("enabled handler not seen")
	}
	os.WriteFile(filepath.Join(dir, "qemu-arm"), []byte("disabled\n"), 0o644)
	if qemuEnabled(dir, "arm") {
		t.Error("disabled handler seen as enabled")
	}
}
