package oci

import (
	"fmt"
	"net"
	"net/http"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// parseRef parses an image reference. Loopback registries are marked
// insecure so that ggcr speaks plain HTTP to them (a local registry has
// no certificate); every other registry is HTTPS only.
func parseRef(s string) (name.Reference, error) {
	ref, err := name.ParseReference(s)
	if err != nil {
		return nil, fmt.Errorf("invalid image reference %q: %w", s, err)
	}
	if !isLoopback(ref.Context().RegistryStr()) {
		return ref, nil
	}
	return name.ParseReference(s, name.Insecure)
}

// parseTag parses a reference that an index is pushed to; a missing tag
// means "latest", as for docker push.
func parseTag(s string) (name.Tag, error) {
	ref, err := parseRef(s)
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
func parseDigest(s string) (name.Digest, error) {
	ref, err := parseRef(s)
	if err != nil {
		return name.Digest{}, err
	}
	d, ok := ref.(name.Digest)
	if !ok {
		return name.Digest{}, fmt.Errorf("invalid manifest reference %q: want repo@sha256:<digest>", s)
	}
	return d, nil
}

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

// loopbackOnlyHTTP refuses plain HTTP to anything but loopback. ggcr falls
// back to HTTP for private-network and ".local" registries when HTTPS
// fails; that would send credentials in clear text across a network.
type loopbackOnlyHTTP struct{ inner http.RoundTripper }

func (t loopbackOnlyHTTP) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Scheme == "http" && !isLoopback(req.URL.Host) {
		if req.Body != nil {
			req.Body.Close() // a RoundTripper closes the body even on error
		}
		return nil, fmt.Errorf("refusing plain HTTP to %s: only loopback registries are reached without TLS", req.URL.Host)
	}
	return t.inner.RoundTrip(req)
}
