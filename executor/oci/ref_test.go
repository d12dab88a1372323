package oci

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestIsLoopback(t *testing.T) {
	for reg, want := range map[string]bool{
		"localhost:5000":   true,
		"LOCALHOST":        true,
		"127.0.0.1:5001":   true,
		"127.1.2.3":        true,
		"[::1]:5000":       true,
		"10.0.0.7:5000":    false,
		"192.168.1.2":      false,
		"registry.local":   false,
		"ghcr.io":          false,
		"localhost.evil.x": false,
	} {
		if got := isLoopback(reg); got != want {
			t.Errorf("isLoopback(%q) = %v, want %v", reg, got, want)
		}
	}
}

func TestParseRefScheme(t *testing.T) {
	for ref, want := range map[string]string{
		"localhost:5000/app:v1": "http",
		"127.0.0.2:5001/app:v1": "http", // ggcr alone would say https
		"[::1]:5000/app:v1":     "http",
		"ghcr.io/org/app:v1":    "https",
	} {
		r, err := parseRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Context().Scheme(); got != want {
			t.Errorf("%s: scheme %s, want %s", ref, got, want)
		}
	}
}

type recordingTransport struct{ hosts []string }

func (r *recordingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	r.hosts = append(r.hosts, req.URL.Scheme+"://"+req.URL.Host)
	return &http.Response{StatusCode: http.StatusOK, Body: http.NoBody, Request: req}, nil
}

// ggcr falls back to plain HTTP for private-network registries; the
// transport refuses that, so credentials never cross a network in clear.
func TestLoopbackOnlyHTTP(t *testing.T) {
	inner := &recordingTransport{}
	tr := loopbackOnlyHTTP{inner: inner}
	for _, u := range []string{"http://127.0.0.1:5000/v2/", "http://localhost:5001/v2/", "https://192.168.1.2:5000/v2/", "https://ghcr.io/v2/"} {
		if _, err := tr.RoundTrip(&http.Request{Method: http.MethodGet, URL: mustURL(t, u)}); err != nil {
			t.Errorf("GET %s: %v", u, err)
		}
	}
	_, err := tr.RoundTrip(&http.Request{Method: http.MethodGet, URL: mustURL(t, "http://192.168.1.2:5000/v2/")})
	if err == nil || !strings.Contains(err.Error(), "refusing plain HTTP to 192.168.1.2:5000") {
		t.Errorf("plain HTTP to a private address: error %v", err)
	}
	want := []string{"http://127.0.0.1:5000", "http://localhost:5001", "https://192.168.1.2:5000", "https://ghcr.io"}
	if strings.Join(inner.hosts, " ") != strings.Join(want, " ") {
		t.Errorf("forwarded %v, want %v", inner.hosts, want)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}
