package oci

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// A registry marked insecure (registry.insecure=true) is reached over
// plain HTTP or over TLS without a checked certificate; others keep TLS.
func TestInsecureRegistries(t *testing.T) {
	h := insecureHosts{"reg.internal:5000": true}
	for ref, want := range map[string]string{
		"reg.internal:5000/app:v1":                             "http",
		"REG.internal:5000/app:v1":                             "http",
		"reg.internal:5001/app:v1":                             "https",
		"10.1.2.3:5000/app:v1":                                 "http", // ggcr's own rule for private addresses...
		"other.internal/app:v1":                                "https",
		"localhost:5000/app@sha256:" + strings.Repeat("a", 64): "http",
	} {
		r, err := h.parseRef(ref)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Context().Scheme(); got != want {
			t.Errorf("%s: scheme %s, want %s", ref, got, want)
		}
	}

	inner, skip := &recordingTransport{}, &recordingTransport{}
	tr := loopbackOnlyHTTP{inner: inner, insecure: h, skipVerify: skip}
	for _, u := range []string{"http://reg.internal:5000/v2/", "https://reg.internal:5000/v2/", "https://ghcr.io/v2/"} {
		if _, err := tr.RoundTrip(&http.Request{Method: http.MethodGet, URL: mustURL(t, u)}); err != nil {
			t.Errorf("GET %s: %v", u, err)
		}
	}
	// ...which the transport still refuses when not marked.
	_, err := tr.RoundTrip(&http.Request{Method: http.MethodGet, URL: mustURL(t, "http://10.1.2.3:5000/v2/")})
	if err == nil || !strings.Contains(err.Error(), "refusing plain HTTP to 10.1.2.3:5000") {
		t.Errorf("plain HTTP to an unmarked private address: %v", err)
	}
	if got := strings.Join(inner.hosts, " "); got != "http://reg.internal:5000 https://ghcr.io" {
		t.Errorf("verified transport got %s", got)
	}
	if got := strings.Join(skip.hosts, " "); got != "https://reg.internal:5000" {
		t.Errorf("unverified transport got %s", got)
	}
}

// A marked registry with a certificate nobody signed is reached, as
// BuildKit reaches it with registry.insecure=true; unmarked, it is not.
func TestInsecureRegistrySelfSigned(t *testing.T) {
	srv := httptest.NewTLSServer(registry.New(registry.Logger(nopLogger())))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	ref := host + "/app:v1"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	// Written directly, with a client that trusts the test certificate.
	if err := remote.Write(r, platformImage(t, linuxAMD64), remote.WithTransport(srv.Client().Transport)); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := NewClient(WithRetries(0)).Inspect(ctx, ref); err == nil {
		t.Error("an unmarked registry with an unsigned certificate was reached")
	}
	in, err := NewClient(WithRetries(0), WithInsecureRegistries(host)).Inspect(ctx, ref)
	if err != nil {
		t.Fatalf("marked insecure: %v", err)
	}
	if in.Platform == nil || in.Platform.Architecture != "amd64" {
		t.Errorf("inspect: %+v", in)
	}
}
