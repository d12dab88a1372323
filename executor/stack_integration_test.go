package executor_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/xbake/xbake/executor/executortest"
)

// TestStackRunsForeignPlatforms checks the local stack end to end through
// the BuildKit client: the daemon pulls the multi-arch base image from the
// local registry and runs a RUN step natively for amd64 and under QEMU for
// arm64, which is what every later integration test relies on.
func TestStackRunsForeignPlatforms(t *testing.T) {
	env := executortest.Stack(t)
	c := env.Client(t)

	src := t.TempDir()
	dockerfile := fmt.Sprintf(`FROM %s/xbake/busybox AS probe
RUN uname -m > /arch
FROM scratch
COPY --from=probe /arch /arch
`, env.Registry)
	if err := os.WriteFile(filepath.Join(src, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	local, err := fsutil.NewFS(src)
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var progress bytes.Buffer
	display, err := progressui.NewDisplay(&progress, progressui.PlainMode)
	if err != nil {
		t.Fatal(err)
	}
	status := make(chan *client.SolveStatus)
	var g errgroup.Group
	g.Go(func() error {
		_, err := c.Solve(ctx, nil, client.SolveOpt{
			Frontend: "dockerfile.v0",
			FrontendAttrs: map[string]string{
				"filename": "Dockerfile",
				"platform": "linux/amd64,linux/arm64",
				// A cached result would hide a stack that can no longer
				// emulate: make the RUN step really run every time.
				"no-cache": "",
			},
			LocalMounts: map[string]fsutil.FS{"context": local, "dockerfile": local},
			Exports:     []client.ExportEntry{{Type: client.ExporterLocal, OutputDir: out}},
		}, status)
		return err
	})
	g.Go(func() error {
		_, err := display.UpdateFrom(context.Background(), status)
		return err
	})
	err = g.Wait()
	if err != nil || testing.Verbose() {
		t.Logf("build progress:\n%s", progress.String())
	}
	if err != nil {
		t.Fatalf("solve for linux/amd64 and linux/arm64 on %s: %v", env.BuildKitHost, err)
	}

	// A multi-platform local export puts each platform in its own folder.
	for _, want := range []struct{ dir, arch string }{
		{"linux_amd64", "x86_64"},
		{"linux_arm64", "aarch64"},
	} {
		b, err := os.ReadFile(filepath.Join(out, want.dir, "arch"))
		if err != nil {
			t.Errorf("%s: %v", want.dir, err)
			continue
		}
		if got := string(bytes.TrimSuffix(b, []byte("\n"))); got != want.arch {
			t.Errorf("%s: uname -m said %q, want %q", want.dir, got, want.arch)
			continue
		}
		t.Logf("%s: uname -m = %s", want.dir, want.arch)
	}
}
