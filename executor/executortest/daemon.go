package executortest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
)

// buildkitdPaths are where the stack keeps buildkitd and its config
// (scripts/stack.sh); XBAKE_BUILDKITD and XBAKE_BUILDKITD_CONFIG override.
var buildkitdPaths = struct{ bin, config string }{
	bin:    "/var/cache/xbake/buildkit-v0.34.2/bin/buildkitd",
	config: "/var/lib/xbake/etc/buildkitd.toml",
}

// StartDaemon starts a second buildkitd for multi-node tests, with its own
// root and socket under /run/xbake, claiming only platform (so that
// "linux/arm64" simulates a native arm64 node). It stops when the test
// ends. Without the binary or root, the test is skipped (failed in CI).
func StartDaemon(t testing.TB, platform string) string {
	t.Helper()
	return StartDaemonAt(t, platform, "")
}

// StartDaemonAt is StartDaemon listening on addr ("" for a fresh unix
// socket under /run/xbake; a loopback tcp:// address for TLS tests) with
// extra buildkitd flags (--tlscert ...).
func StartDaemonAt(t testing.TB, platform, addr string, extra ...string) string {
	t.Helper()
	if d := startDaemon(t, platform, addr, extra...); d != nil {
		return d.Addr
	}
	return ""
}

// Daemon is a buildkitd a test started, for tests that make it misbehave.
type Daemon struct {
	Addr string
	proc *os.Process
}

// StartDaemonProcess is StartDaemon, returning the daemon's process too.
func StartDaemonProcess(t testing.TB, platform string) *Daemon {
	t.Helper()
	return startDaemon(t, platform, "")
}

// Freeze stops the daemon (SIGSTOP): its connections stay open and it
// answers nothing, as a daemon on a hung or unreachable machine. It
// resumes when the test ends.
func (d *Daemon) Freeze(t testing.TB) {
	t.Helper()
	if err := d.proc.Signal(syscall.SIGSTOP); err != nil {
		t.Fatalf("freezing buildkitd: %v", err)
	}
	t.Cleanup(func() { d.proc.Signal(syscall.SIGCONT) })
}

// Kill kills the daemon (SIGKILL), as a machine that dies: its
// connections break and its socket refuses.
func (d *Daemon) Kill(t testing.TB) {
	t.Helper()
	if err := d.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("killing buildkitd: %v", err)
	}
}

// DaemonOptions are what StartDaemonWith changes of a test daemon.
type DaemonOptions struct {
	// Platforms it claims (--oci-worker-platform, repeated): the first is
	// its host platform; the others it lists as emulated.
	Platforms []string
	// Config is appended to the stack's buildkitd.toml ("[worker.oci]\n
	// max-parallelism = 2").
	Config string
}

// StartDaemonWith is StartDaemonProcess with options.
func StartDaemonWith(t testing.TB, o DaemonOptions) *Daemon {
	t.Helper()
	var extra []string
	for _, p := range o.Platforms[1:] {
		extra = append(extra, "--oci-worker-platform", p)
	}
	if o.Config != "" {
		cfg := envOr("XBAKE_BUILDKITD_CONFIG", buildkitdPaths.config)
		dt, _ := os.ReadFile(cfg)
		path := filepath.Join(t.TempDir(), "buildkitd.toml")
		if err := os.WriteFile(path, append(dt, []byte("\n"+o.Config+"\n")...), 0o644); err != nil {
			t.Fatal(err)
		}
		extra = append(extra, "--config", path)
	}
	return startDaemon(t, o.Platforms[0], "", extra...)
}

func startDaemon(t testing.TB, platform, addr string, extra ...string) *Daemon {
	t.Helper()
	bin := envOr("XBAKE_BUILDKITD", buildkitdPaths.bin)
	cfg := envOr("XBAKE_BUILDKITD_CONFIG", buildkitdPaths.config)
	if slices.Contains(extra, "--config") {
		cfg = "" // the caller's
	}
	if _, err := os.Stat(bin); err != nil || os.Geteuid() != 0 {
		unavailable(t, fmt.Sprintf("a second buildkitd needs root and %s", bin))
		return nil
	}
	var b [4]byte
	rand.Read(b[:])
	id := hex.EncodeToString(b[:])
	root := filepath.Join("/run/xbake", "test-"+id)
	sock := "unix://" + root + ".sock"
	if addr != "" {
		sock = addr
	}
	args := []string{"--oci-worker=true", "--containerd-worker=false", "--root", root, "--addr", sock,
		"--oci-worker-platform", platform}
	args = append(args, extra...)
	if _, err := os.Stat(cfg); err == nil {
		args = append(args, "--config", cfg)
	}
	log, err := os.Create(filepath.Join(t.TempDir(), "buildkitd.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start buildkitd: %v", err)
	}
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(root)
		os.Remove(root + ".sock")
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		var err error
		if strings.HasPrefix(sock, "tcp://") {
			// TLS clients are the test's business; a listening port is enough.
			var c net.Conn
			if c, err = net.DialTimeout("tcp", strings.TrimPrefix(sock, "tcp://"), time.Second); err == nil {
				c.Close()
			}
		} else {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			var c *client.Client
			if c, err = client.New(ctx, sock); err == nil {
				_, err = c.ListWorkers(ctx)
				c.Close()
			}
			cancel()
		}
		if err == nil {
			return &Daemon{Addr: sock, proc: cmd.Process}
		}
		if time.Now().After(deadline) {
			t.Fatalf("buildkitd at %s did not start: %v (log %s)", sock, err, log.Name())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func envOr(k, def string) string {
	if v := os.Getenv(k); v != "" {
		return v
	}
	return def
}
