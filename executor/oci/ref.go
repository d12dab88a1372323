package oci

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// How a registry is reached: over TLS, except loopback registries (a
// local registry has no certificate) and the registries a run marks
// insecure (an output's or a cache's registry.insecure=true, as buildx
// honours it), which ggcr may reach over plain HTTP (it tries HTTPS
// first) and over TLS without verifying the certificate. Production code
// parses references with the Client's insecureHosts; the package-level
// parseRef and parseTag (for tests) know only loopback.

// insecureHosts are the registries (host[:port], lower case) marked
// insecure.
type insecureHosts map[string]bool

// allowsHTTP reports whether registry may be reached without TLS.
func (h insecureHosts) allowsHTTP(registry string) bool {
	return isLoopback(registry) || h.marked(registry)
}

// marked reports whether registry was marked insecure.
func (h insecureHosts) marked(registry string) bool {
	return h[strings.ToLower(registry)]
}

// parseRef parses an image reference, marked insecure for ggcr when its
// registry allows HTTP.
func (h insecureHosts) parseRef(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("invalid image reference %q: %w", s, err)
	}
	if !h.allowsHTTP(ref.Context().RegistryStr()) {
		return ref, nil
	}
	return name.ParseReference(s, name.Insecure)
}

// parseTag parses a reference that an index is pushed to; a missing tag
// means "latest", as for docker push.
func (h insecureHosts) parseTag(s string) (name.Tag, error) {
	ref, err := h.parseRef(s)
	if err != nil {
		return name.Tag{}, err
	}
	t, ok := ref.(name.Tag)
	if !ok {
		return name.Tag{}, fmt.Errorf("invalid tag %q: a digest reference cannot be tagged", s)
	}
	return t, nil
}

// parseDigest parses a "repo@sha256:..." reference.
func (h insecureHosts) parseDigest(s string) (name.Digest, error) {
	ref, err := h.parseRef(s)
	if err != nil {
		return name.Digest{}, err
	}
	d, ok := ref.(name.Digest)
	if !ok {
		return name.Digest{}, fmt.Errorf("invalid manifest reference %q: want repo@sha256:<digest>", s)
	}
	return d, nil
}

func parseRef(s string) (name.Reference, error) { return insecureHosts(nil).parseRef(s) }
func parseTag(s string) (name.Tag, error)       { return insecureHosts(nil).parseTag(s) }

// isLoopback reports whether a registry host[:port] is this machine.
func isLoopback(registry string) bool {
	host := registry
	if h, _, err := net.SplitHostPort(registry); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// loopbackOnlyHTTP refuses plain HTTP to anything but loopback and the
// registries marked insecure. ggcr falls back to HTTP for private-network
// and ".local" registries when HTTPS fails; that would send credentials in
// clear text across a network nobody said was trusted. HTTPS to a marked
// registry goes through skipVerify when set (its certificate is not
// checked, as BuildKit does for registry.insecure).
type loopbackOnlyHTTP struct {
	inner      http.RoundTripper
	insecure   insecureHosts
	skipVerify http.RoundTripper
}

func (t loopbackOnlyHTTP) RoundTrip(req *http.Request) (*http.Response, error) {
	switch {
	case req.URL.Scheme == "http" && !t.insecure.allowsHTTP(req.URL.Host):
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body even on error
		}
		return nil, fmt.Errorf("refusing plain HTTP to %s: only loopback registries and those marked registry.insecure=true are reached without TLS", req.URL.Host)
	case req.URL.Scheme == "https" && t.skipVerify != nil && t.insecure.marked(req.URL.Host):
		return t.skipVerify.RoundTrip(req)
	}
	return t.inner.RoundTrip(req)
}

// withoutVerify is rt with TLS certificates unchecked, when rt is an
// *http.Transport (nil otherwise: marked registries then need a valid
// certificate or plain HTTP).
func withoutVerify(rt http.RoundTripper) http.RoundTripper {
	t, ok := rt.(*http.Transport)
	if !ok {
		return nil
	}
	t = t.Clone()
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // registry.insecure=true asks for it
	return t
}
