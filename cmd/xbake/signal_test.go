package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// startXbake starts the real CLI (the "xbake" of testscript's PATH, this
// test binary) in dir. The channel gets the result of Wait.
func startXbake(t *testing.T, dir string, args ...string) (*exec.Cmd, *bytes.Buffer, <-chan error) {
	t.Helper()
	cmd := exec.Command("xbake", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		exited <- cmd.Wait()
		close(done)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})
	return cmd, &stderr, exited
}

// wantExit checks the result of Wait.
func wantExit(t *testing.T, err error, code int, stderr *bytes.Buffer) {
	t.Helper()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != code {
		t.Fatalf("exit %v, want code %d\n%s", err, code, stderr)
	}
}

// TestSignalWhileReadingFIFO: a definition read from a FIFO that nobody
// writes to used to ignore SIGINT and SIGTERM; now the first one ends
// the run with 130 or 143.
func TestSignalWhileReadingFIFO(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		msg  string
	}{
		{syscall.SIGINT, 130, "xbake: interrupted\n"},
		{syscall.SIGTERM, 143, "xbake: terminated\n"},
	} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			dir := t.TempDir()
			fifo := filepath.Join(dir, "docker-bake.hcl")
			if err := syscall.Mkfifo(fifo, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd, stderr, exited := startXbake(t, dir, "--print", "-f", fifo)
			// Opening the FIFO for writing returns once xbake has opened it
			// for reading: it is past setting up its signal handling.
			opened := make(chan *os.File, 1)
			go func() {
				if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
					opened <- w
				}
			}()
			select {
			case w := <-opened:
				defer w.Close()
			case err := <-exited:
				t.Fatalf("xbake exited before reading the FIFO: %v\n%s", err, stderr)
			}
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			wantExit(t, <-exited, tc.code, stderr)
			if stderr.String() != tc.msg {
				t.Errorf("stderr = %q, want %q", stderr, tc.msg)
			}
		})
	}
}

// TestSignalDuringRemoteFetch: an interrupted fetch of a remote
// definition exits 130, not 1.
func TestSignalDuringRemoteFetch(t *testing.T) {
	asked := make(chan struct{}, 1)
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked <- struct{}{}
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	cmd, stderr, exited := startXbake(t, t.TempDir(), srv.URL+"/docker-bake.hcl", "--print")
	select {
	case <-asked:
	case err := <-exited:
		t.Fatalf("xbake exited before fetching: %v\n%s", err, stderr)
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	wantExit(t, <-exited, exitInterrupt, stderr)
	if !strings.HasPrefix(stderr.String(), "xbake: interrupted: ") {
		t.Errorf("stderr = %q", stderr)
	}
}

// TestSecondSignalExits: the first signal cancels, the second ends the
// process at once with the first one's code.
func TestSecondSignalExits(t *testing.T) {
	var stderr bytes.Buffer
	exited := make(chan int, 1)
	a := &app{stderr: &stderr, exit: func(code int) { exited <- code }}
	sigs := make(chan os.Signal, 2)
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan struct{})
	defer close(done)
	go a.handleSignals(sigs, cancel, done)
	sigs <- syscall.SIGTERM
	<-ctx.Done()
	var cause *interrupted
	if !errors.As(context.Cause(ctx), &cause) || cause.code() != exitTerminate {
		t.Fatalf("cause = %v", context.Cause(ctx))
	}
	sigs <- syscall.SIGINT
	if code := <-exited; code != exitTerminate {
		t.Errorf("exit code %d, want %d", code, exitTerminate)
	}
	if want := "xbake: terminated again: exiting now\n"; stderr.String() != want {
		t.Errorf("stderr = %q, want %q", stderr.String(), want)
	}
}

// panicky fails a test run's input or output with a panic, as a bug
// would.
type panicky struct{}

func (panicky) Read([]byte) (int, error)  { panic("read on purpose") }
func (panicky) Write([]byte) (int, error) { panic("write on purpose") }

// TestPanicExitCode: a panic, in the command or in the goroutine that
// loads the definition, is reported in a few lines with exit code 70,
// not as a Go stack trace or as a build failure (1).
func TestPanicExitCode(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "docker-bake.hcl"), []byte(`target "default" {}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		a    func(*app)
		want string
	}{
		{"print", []string{"--print"}, func(a *app) { a.stdout = panicky{} }, "write on purpose"},
		{"load", []string{"--print", "-f", "-"}, func(a *app) { a.stdin = panicky{} }, "read on purpose"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			a := &app{
				stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &stderr,
				getenv: func(string) string { return "" }, environ: func() []string { return nil },
				getwd: func() (string, error) { return dir, nil },
			}
			tc.a(a)
			code := run(a, tc.args)
			want := fmt.Sprintf("xbake: internal error: %s\nThis is a bug in xbake; please report it with the command you ran (--debug shows where it happened).\n", tc.want)
			if code != exitInternal || stderr.String() != want {
				t.Errorf("exit %d, stderr %q; want %d, %q", code, stderr.String(), exitInternal, want)
			}
		})
	}
}
