package ocitest

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"
)

// backend answers every request with 200 and a 1000-byte body.
func backend(t *testing.T) string {
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, strings.Repeat("x", 1000))
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func get(t *testing.T, ctx context.Context, method, url string) (int, string, error) {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	// A fresh connection per request: a reset must not poison the next.
	c := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

func TestProxyFaults(t *testing.T) {
	for _, tc := range []struct {
		fault      Fault
		wantStatus int
		wantBody   string // substring
		wantErr    func(error) bool
	}{
		{Unavailable, 503, `{"errors":[{"code":"UNAVAILABLE"`, nil},
		{Unknown, 500, `{"errors":[{"code":"UNKNOWN"`, nil},
		{TooManyRequests, 429, `"code":"TOOMANYREQUESTS"`, nil},
		{Denied, 403, `"code":"DENIED"`, nil},
		{HTML503, 503, "<html>", nil},
		{Reset, 0, "", func(err error) bool { return errors.Is(err, syscall.ECONNRESET) }},
		{Drop, 0, "", func(err error) bool { return errors.Is(err, io.EOF) }},
		{Truncate, 200, "", func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			p := NewProxy(t, backend(t), Rule{Method: "GET", Path: "/manifests/", Fault: tc.fault, Times: 1})
			code, body, err := get(t, context.Background(), "GET", "http://"+p.Host+"/v2/app/manifests/v1")
			if tc.wantErr != nil {
				if !tc.wantErr(err) {
					t.Fatalf("error = %v", err)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tc.wantStatus || !strings.Contains(body, tc.wantBody) {
				t.Errorf("got %d %q, want %d with %q", code, body, tc.wantStatus, tc.wantBody)
			}
			if tc.fault == Truncate && len(body) != 500 {
				t.Errorf("truncated body has %d bytes, want 500", len(body))
			}
			// Times: 1, so the second request is forwarded.
			if code, body, err := get(t, context.Background(), "GET", "http://"+p.Host+"/v2/app/manifests/v1"); err != nil || code != 200 || len(body) != 1000 {
				t.Errorf("second request: %d, %d bytes, %v; want 200 with 1000 bytes", code, len(body), err)
			}
			if got := p.Injected(); len(got) != 1 || got[0] != "GET /v2/app/manifests/v1: "+string(tc.fault) {
				t.Errorf("injected %q", got)
			}
		})
	}
}

func TestProxyMatching(t *testing.T) {
	p := NewProxy(t, backend(t),
		Rule{Method: "PUT", Path: "/manifests/v2$", Fault: Unavailable},
		Rule{Path: "/blobs/", Fault: Unknown, Times: 2})
	for _, tc := range []struct {
		method, path string
		want         int
	}{
		{"PUT", "/v2/app/manifests/v1", 200},
		{"PUT", "/v2/app/manifests/v2", 503},
		{"PUT", "/v2/app/manifests/v2", 503}, // Times 0: every one
		{"GET", "/v2/app/manifests/v2", 200},
		{"HEAD", "/v2/app/blobs/sha256:aa", 500},
		{"GET", "/v2/app/blobs/sha256:aa", 500},
		{"GET", "/v2/app/blobs/sha256:aa", 200},
	} {
		if code, _, err := get(t, context.Background(), tc.method, "http://"+p.Host+tc.path); err != nil || code != tc.want {
			t.Errorf("%s %s = %d, %v; want %d", tc.method, tc.path, code, err, tc.want)
		}
	}
	if n := p.Count("PUT", "/manifests/"); n != 3 {
		t.Errorf("Count(PUT manifests) = %d, want 3", n)
	}
	if n := p.Count("", "/blobs/"); n != 3 {
		t.Errorf("Count(blobs) = %d, want 3", n)
	}
	p.Clear()
	if code, _, err := get(t, context.Background(), "PUT", "http://"+p.Host+"/v2/app/manifests/v2"); err != nil || code != 200 {
		t.Errorf("after Clear: %d, %v; want 200", code, err)
	}
	if err := p.Add(Rule{Fault: "bogus"}); err == nil {
		t.Error("Add accepted an unknown fault")
	}
}

// Hang holds the request until the client gives up; Slow answers late.
func TestProxyHangAndSlow(t *testing.T) {
	p := NewProxy(t, backend(t),
		Rule{Path: "/hang", Fault: Hang},
		Rule{Path: "/slow", Fault: Slow, Delay: 200 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if _, _, err := get(t, ctx, "GET", "http://"+p.Host+"/hang"); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hang: error = %v, want the client's deadline", err)
	}
	start := time.Now()
	code, _, err := get(t, context.Background(), "GET", "http://"+p.Host+"/slow")
	if err != nil || code != 200 {
		t.Errorf("slow: %d, %v", code, err)
	}
	if d := time.Since(start); d < 200*time.Millisecond {
		t.Errorf("slow answered after %v, before its delay", d)
	}
}
