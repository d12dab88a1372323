package oci

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"

	"github.com/xbake/xbake/executor/oci/ocitest"
)

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "dial tcp 127.0.0.1:5000: i/o deadline" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestIsTransient(t *testing.T) {
	status := func(code int, diags ...transport.ErrorCode) error {
		te := &transport.Error{StatusCode: code}
		for _, d := range diags {
			te.Errors = append(te.Errors, transport.Diagnostic{Code: d})
		}
		return fmt.Errorf("pushing localhost:5000/app:v1: %w", te)
	}
	opErr := func(errno syscall.Errno) error {
		return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", errno)}
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"503", status(http.StatusServiceUnavailable), true},
		{"500", status(http.StatusInternalServerError), true},
		{"502", status(http.StatusBadGateway), true},
		{"504", status(http.StatusGatewayTimeout), true},
		{"429", status(http.StatusTooManyRequests, transport.TooManyRequestsErrorCode), true},
		{"408", status(http.StatusRequestTimeout), true},
		{"401", status(http.StatusUnauthorized, transport.UnauthorizedErrorCode), false},
		{"403", status(http.StatusForbidden, transport.DeniedErrorCode), false},
		{"404", status(http.StatusNotFound, transport.ManifestUnknownErrorCode), false},
		{"400 manifest invalid", status(http.StatusBadRequest, transport.ManifestInvalidErrorCode), false},
		{"connection reset", opErr(syscall.ECONNRESET), true},
		{"broken pipe", opErr(syscall.EPIPE), true},
		{"connection refused", opErr(syscall.ECONNREFUSED), false},
		{"unexpected EOF", fmt.Errorf("reading blob: %w", io.ErrUnexpectedEOF), true},
		{"EOF", fmt.Errorf(`Put "http://localhost:5000/v2/": %w`, io.EOF), true},
		{"timeout", fmt.Errorf("pinging: %w", timeoutErr{}), true},
		{"503 UNAVAILABLE", status(http.StatusServiceUnavailable, transport.UnavailableErrorCode), true},
		{"500 UNKNOWN", status(http.StatusInternalServerError, transport.UnknownErrorCode), true},
		{"501", status(http.StatusNotImplemented, transport.UnsupportedErrorCode), false},
		{"400 UNKNOWN", status(http.StatusBadRequest, transport.UnknownErrorCode), false},
		{"UNAVAILABLE with a 4xx", status(http.StatusForbidden, transport.UnavailableErrorCode), true},
		{"text is not classified here", errors.New("unexpected status: 503 Service Unavailable"), false},
		{"canceled", fmt.Errorf("pushing: %w", context.Canceled), false},
		{"nil", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := IsTransient(tc.err); got != tc.want {
				t.Errorf("IsTransient(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	transient := &transport.Error{StatusCode: http.StatusServiceUnavailable}
	permanent := &transport.Error{StatusCode: http.StatusUnauthorized}
	refused := &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}

	// results[i] is what attempt i returns; past the end, success.
	run := func(attempts int, results ...error) (int, error) {
		calls := 0
		err := fastBackoff.Retry(ctx, attempts, func(context.Context) error {
			calls++
			if calls <= len(results) {
				return results[calls-1]
			}
			return nil
		})
		return calls, err
	}
	for _, tc := range []struct {
		name      string
		attempts  int
		results   []error
		wantCalls int
		wantErr   string // "" for success
	}{
		{"success at once", 3, nil, 1, ""},
		{"transient then success", 3, []error{transient, transient}, 3, ""},
		{"transient exhausts attempts", 2, []error{transient, transient, transient}, 2, "giving up after 2 attempts: unexpected status code 503"},
		{"permanent is not retried", 5, []error{permanent}, 1, "unexpected status code 401"},
		{"refused at first is not retried", 5, []error{refused}, 1, "connection refused"},
		{"refused after a reset is retried", 5, []error{reset, refused}, 3, ""},
		{"zero attempts means one", 0, []error{transient}, 1, "giving up after 1 attempts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			calls, err := run(tc.attempts, tc.results...)
			if calls != tc.wantCalls {
				t.Errorf("fn called %d times, want %d", calls, tc.wantCalls)
			}
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("error = %v, want success", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

// Cancellation during the backoff wait ends Retry at once, with the last
// error, without another attempt.
func TestRetryStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	slow := Backoff{Base: time.Hour, Max: time.Hour}
	calls := 0
	done := make(chan error)
	go func() {
		done <- slow.Retry(ctx, 5, func(context.Context) error {
			calls++
			cancel()
			return &transport.Error{StatusCode: http.StatusServiceUnavailable}
		})
	}()
	select {
	case err := <-done:
		var te *transport.Error
		if !errors.As(err, &te) || te.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("error = %v, want the 503", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Retry kept waiting after cancellation")
	}
	if calls != 1 {
		t.Errorf("fn called %d times, want 1", calls)
	}
	if err := fastBackoff.Retry(ctx, 3, func(context.Context) error { t.Error("fn called with a done context"); return nil }); !errors.Is(err, context.Canceled) {
		t.Errorf("Retry on a canceled context = %v, want context.Canceled", err)
	}
}

func TestBackoffDelay(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, Max: 700 * time.Millisecond}
	for i, ceil := range []time.Duration{100, 200, 400, 700, 700, 700} {
		ceil *= time.Millisecond
		for range 50 {
			if d := b.Delay(i); d < ceil/2 || d >= ceil {
				t.Fatalf("Delay(%d) = %v, want in [%v, %v)", i, d, ceil/2, ceil)
			}
		}
	}
}

// A registry failing the first two manifest PUTs or HEADs, in every way
// registries and load balancers fail: the client retries and the index
// lands; failing every time, with one retry, it gives up with an error
// that says so, and the tag is not written. A permanent refusal is not
// retried.
func TestPushIndexRetriesTransientErrors(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		amd, dAMD := pushByDigest(t, reg, repo, platformImage(t, linuxAMD64), linuxAMD64)
		arm, dARM := pushByDigest(t, reg, repo, platformImage(t, linuxARM64), linuxARM64)
		viaProxy := func(p *ocitest.Proxy, ms ...Manifest) []Manifest {
			out := make([]Manifest, len(ms))
			for i, m := range ms {
				m.Ref = p.Swap(m.Ref)
				out[i] = m
			}
			return out
		}
		for _, tc := range []struct {
			fault   ocitest.Fault
			method  string
			wantErr string // with one retry
		}{
			{ocitest.Unavailable, http.MethodPut, "UNAVAILABLE: service unavailable"},
			{ocitest.Unknown, http.MethodPut, "UNKNOWN: unknown error"},
			{ocitest.HTML503, http.MethodPut, "503 Service Unavailable"},
			{ocitest.TooManyRequests, http.MethodPut, "TOOMANYREQUESTS: too many requests"},
			{ocitest.Reset, http.MethodPut, "connection reset by peer"},
			{ocitest.Drop, http.MethodHead, "EOF"},
		} {
			t.Run(string(tc.fault), func(t *testing.T) {
				tag := "ok-" + strings.Fields(string(tc.fault))[0]
				p := ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: tc.method, Path: "/manifests/", Fault: tc.fault, Times: 2})
				got, err := testClient(reg).PushIndex(context.Background(), []string{p.Swap(repo) + ":" + tag}, viaProxy(p, amd, arm), nil)
				if err != nil {
					t.Fatal(err)
				}
				if n := len(p.Injected()); n != 2 {
					t.Errorf("proxy injected %d faults, want 2", n)
				}
				d, idx := rawIndex(t, reg, repo+":"+tag)
				if d.Digest.String() != got.Digest.String() || len(idx.Manifests) != 2 || idx.Manifests[0].Digest != dAMD.Digest || idx.Manifests[1].Digest != dARM.Digest {
					t.Errorf("registry has %s with %v; want %s over %s, %s", d.Digest, idx.Manifests, got.Digest, dAMD.Digest, dARM.Digest)
				}

				p = ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: tc.method, Path: "/manifests/", Fault: tc.fault})
				tag = "failed-" + strings.Fields(string(tc.fault))[0]
				_, err = testClient(reg, WithRetries(1)).PushIndex(context.Background(), []string{p.Swap(repo) + ":" + tag}, viaProxy(p, amd), nil)
				if err == nil {
					t.Fatal("PushIndex succeeded through faults")
				}
				for _, want := range []string{p.Host, "giving up after 2 attempts", tc.wantErr} {
					if !strings.Contains(err.Error(), want) {
						t.Errorf("error %q does not contain %q", err, want)
					}
				}
				if got := headStatus(t, reg, repo+":"+tag); got != http.StatusNotFound {
					t.Errorf("HEAD %s:%s = %d, want 404", repo, tag, got)
				}
			})
		}
		t.Run("denied is not retried", func(t *testing.T) {
			p := ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: http.MethodPut, Path: "/manifests/", Fault: ocitest.Denied})
			_, err := testClient(reg).PushIndex(context.Background(), []string{p.Swap(repo) + ":denied"}, viaProxy(p, amd), nil)
			if err == nil || !strings.Contains(err.Error(), "DENIED") {
				t.Fatalf("error = %v, want the registry's DENIED", err)
			}
			if n := len(p.Injected()); n != 1 {
				t.Errorf("%d attempts, want 1", n)
			}
		})
	})
}

// Within one registry the copy into the tags' repository mounts blobs:
// no blob is uploaded again.
func TestPushIndexMountsBlobs(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		build, release := uniqueRepo(t, reg, "build"), uniqueRepo(t, reg, "release")
		m, _ := pushByDigest(t, reg, build, platformImage(t, linuxARMv7), linuxARMv7)
		p := ocitest.NewProxy(t, reg.host)
		m.Ref = p.Swap(m.Ref)
		if _, err := testClient(reg).PushIndex(context.Background(), []string{p.Swap(release) + ":v1"}, []Manifest{m}, nil); err != nil {
			t.Fatal(err)
		}
		mounts := p.Count(http.MethodPost, "mount=")
		uploads := p.Count(http.MethodPatch, "") + p.Count(http.MethodPut, "/blobs/uploads/")
		if uploads != 0 {
			t.Errorf("config and layer: %d blob uploads; want 0, mounted", uploads)
		}
		// ggcr's in-memory registry shares blobs across repositories, so
		// there is nothing to mount; a real one links them per repository.
		if reg.kind == "stack" && mounts != 2 {
			t.Errorf("config and layer: %d mount requests, want 2", mounts)
		}
	})
}
