package oci

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// faultProxy is a loopback reverse proxy in front of a registry that fails
// the first n requests matching a kind, then forwards, and records every
// request it saw.
type faultProxy struct {
	host string // host:port of the proxy

	mu     sync.Mutex
	kind   func(*http.Request) bool
	fail   int                                      // requests of kind still to fail
	fault  func(http.ResponseWriter, *http.Request) // what a failure does
	failed int
	seen   []string // "METHOD /path?query"
}

func newFaultProxy(t *testing.T, backend string, kind func(*http.Request) bool, fail int, fault func(http.ResponseWriter, *http.Request)) *faultProxy {
	t.Helper()
	p := &faultProxy{kind: kind, fail: fail, fault: fault}
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		p.seen = append(p.seen, r.Method+" "+r.URL.RequestURI())
		inject := p.kind(r) && p.fail > 0
		if inject {
			p.fail--
			p.failed++
		}
		p.mu.Unlock()
		if inject {
			p.fault(w, r)
			return
		}
		// The director keeps the Host header, so the upload locations the
		// registry builds from it point back at the proxy.
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	p.host = strings.TrimPrefix(s.URL, "http://")
	return p
}

func (p *faultProxy) count(match func(method, uri string) bool) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.seen {
		method, uri, _ := strings.Cut(s, " ")
		if match(method, uri) {
			n++
		}
	}
	return n
}

func isManifestPut(r *http.Request) bool {
	return r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/")
}

func isManifestHead(r *http.Request) bool {
	return r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/manifests/")
}

func status503(w http.ResponseWriter, _ *http.Request) {
	http.Error(w, "registry is restarting", http.StatusServiceUnavailable)
}

// dropConnection closes the connection without an answer, as a registry
// or load balancer that restarts mid-request does.
func dropConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}
