// Package ocitest holds test helpers for registry work: a loopback proxy
// in front of a real registry that injects the faults registries and
// load balancers produce (error statuses in the registry's JSON form or
// as HTML, rate limits, connection resets, hangs, truncated bodies, slow
// answers) into chosen requests, and records every request it saw.
//
// It is used by the tests of executor/oci, executor and cmd/xbake, for
// registry calls made by xbake itself and by a BuildKit daemon (which
// reaches the proxy over plain HTTP when the output sets
// registry.insecure=true). It imports nothing of xbake.
package ocitest

import (
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Fault is what the proxy does with a request instead of forwarding it
// untouched.
type Fault string

const (
	// Unavailable answers 503 with the registry error body
	// {"errors":[{"code":"UNAVAILABLE",...}]}, as distribution does.
	Unavailable Fault = "503 UNAVAILABLE"
	// Unknown answers 500 with the error code UNKNOWN.
	Unknown Fault = "500 UNKNOWN"
	// HTML503 answers 503 with an HTML page, as a load balancer does.
	HTML503 Fault = "503 HTML"
	// TooManyRequests answers 429 with the error code TOOMANYREQUESTS.
	TooManyRequests Fault = "429 TOOMANYREQUESTS"
	// Denied answers 403 with the error code DENIED: a permanent refusal.
	Denied Fault = "403 DENIED"
	// Reset reads the request and resets the connection (TCP RST)
	// without an answer.
	Reset Fault = "reset"
	// Drop reads the request and closes the connection without an answer.
	Drop Fault = "drop"
	// Hang reads the request and never answers: the client must give up
	// by itself (the proxy lets go when the client closes the connection
	// or the test ends).
	Hang Fault = "hang"
	// Truncate forwards the request, then sends the answer's headers (with
	// the full Content-Length) and half of its body, and drops the
	// connection.
	Truncate Fault = "truncate"
	// Slow waits Rule.Delay, then forwards.
	Slow Fault = "slow"
)

// Rule injects Fault into the requests that match Method and Path.
type Rule struct {
	Method string // "" matches any method
	// Path is a regular expression matched against the URL path
	// ("/manifests/latest$"); "" matches any path.
	Path  string
	Fault Fault
	// Times is how many matching requests get the fault; then they are
	// forwarded. 0 means every one.
	Times int
	Delay time.Duration // for Slow
}

// Proxy is a reverse proxy on 127.0.0.1 in front of a registry. A request
// gets the fault of the first rule that matches it and has faults left;
// the others are forwarded with their Host header, so the upload
// locations the registry answers with point back at the proxy.
type Proxy struct {
	// Host is the proxy's host:port; use it in place of the registry's.
	Host string
	// Backend is the registry's host:port.
	Backend string

	mu       sync.Mutex
	rules    []rule
	seen     []string // "METHOD /path?query", in arrival order
	injected []string // "METHOD /path: fault", in arrival order
	done     chan struct{}
}

type rule struct {
	Rule
	path *regexp.Regexp
	hits int // faults injected so far
}

// NewProxy starts a proxy in front of backend (host:port) with rules; it
// stops when the test ends.
func NewProxy(t testing.TB, backend string, rules ...Rule) *Proxy {
	t.Helper()
	p := &Proxy{Backend: backend, done: make(chan struct{})}
	for _, r := range rules {
		if err := p.add(r); err != nil {
			t.Fatal(err)
		}
	}
	quiet := log.New(io.Discard, "", 0)
	rp := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: backend})
	rp.ErrorLog = quiet
	s := httptest.NewUnstartedServer(http.HandlerFunc(p.serve(rp)))
	s.Config.ErrorLog = quiet
	s.Start()
	t.Cleanup(func() {
		close(p.done) // lets hanging handlers return
		s.CloseClientConnections()
		s.Close()
	})
	p.Host = strings.TrimPrefix(s.URL, "http://")
	return p
}

// Add appends a rule while the proxy runs.
func (p *Proxy) Add(r Rule) error { return p.add(r) }

func (p *Proxy) add(r Rule) error {
	nr := rule{Rule: r}
	if r.Path != "" {
		re, err := regexp.Compile(r.Path)
		if err != nil {
			return fmt.Errorf("rule path %q: %w", r.Path, err)
		}
		nr.path = re
	}
	switch r.Fault {
	case Unavailable, Unknown, HTML503, TooManyRequests, Denied, Reset, Drop, Hang, Truncate, Slow:
	default:
		return fmt.Errorf("unknown fault %q", r.Fault)
	}
	p.mu.Lock()
	p.rules = append(p.rules, nr)
	p.mu.Unlock()
	return nil
}

// Clear drops every rule: from now on the proxy forwards everything.
func (p *Proxy) Clear() {
	p.mu.Lock()
	p.rules = nil
	p.mu.Unlock()
}

// Swap replaces the registry host in ref with the proxy's, so that the
// same repository is reached through the proxy.
func (p *Proxy) Swap(ref string) string { return strings.Replace(ref, p.Backend, p.Host, 1) }

// Injected lists the faults injected so far, as "METHOD /path: fault".
func (p *Proxy) Injected() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.injected...)
}

// Count is how many requests the proxy saw whose method is method ("" for
// any) and whose path and query match the regular expression path.
func (p *Proxy) Count(method, path string) int {
	re := regexp.MustCompile(path)
	p.mu.Lock()
	defer p.mu.Unlock()
	n := 0
	for _, s := range p.seen {
		m, uri, _ := strings.Cut(s, " ")
		if (method == "" || m == method) && re.MatchString(uri) {
			n++
		}
	}
	return n
}

// Seen lists every request, as "METHOD /path?query", in arrival order.
func (p *Proxy) Seen() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

// pick records r and returns the rule whose fault it gets, if any.
func (p *Proxy) pick(r *http.Request) *Rule {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.seen = append(p.seen, r.Method+" "+r.URL.RequestURI())
	for i := range p.rules {
		ru := &p.rules[i]
		if ru.Method != "" && ru.Method != r.Method || ru.path != nil && !ru.path.MatchString(r.URL.Path) {
			continue
		}
		if ru.Times > 0 && ru.hits >= ru.Times {
			continue
		}
		ru.hits++
		p.injected = append(p.injected, r.Method+" "+r.URL.Path+": "+string(ru.Fault))
		cp := ru.Rule
		return &cp
	}
	return nil
}

func (p *Proxy) serve(rp *httputil.ReverseProxy) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		ru := p.pick(r)
		if ru == nil {
			rp.ServeHTTP(w, r)
			return
		}
		switch ru.Fault {
		case Unavailable:
			registryError(w, http.StatusServiceUnavailable, "UNAVAILABLE", "service unavailable")
		case Unknown:
			registryError(w, http.StatusInternalServerError, "UNKNOWN", "unknown error")
		case TooManyRequests:
			w.Header().Set("Retry-After", "0")
			registryError(w, http.StatusTooManyRequests, "TOOMANYREQUESTS", "too many requests")
		case Denied:
			registryError(w, http.StatusForbidden, "DENIED", "requested access to the resource is denied")
		case HTML503:
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n")
		case Reset, Drop:
			io.Copy(io.Discard, r.Body)
			hangUp(w, ru.Fault == Reset)
		case Hang:
			// Read the whole request first: the server notices that the
			// client went away only once the body is consumed.
			io.Copy(io.Discard, r.Body)
			select {
			case <-r.Context().Done():
			case <-p.done:
			}
			hangUp(w, false)
		case Truncate:
			// The whole answer is read first, so that the client gets the
			// headers (with the full length) and half of the body.
			rec := httptest.NewRecorder()
			rp.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			for k, v := range rec.Header() {
				w.Header()[k] = v
			}
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(rec.Code)
			w.Write(body[:len(body)/2])
			http.NewResponseController(w).Flush()
			hangUp(w, false)
		case Slow:
			t := time.NewTimer(ru.Delay)
			defer t.Stop()
			select {
			case <-t.C:
			case <-r.Context().Done():
				return
			case <-p.done:
				return
			}
			rp.ServeHTTP(w, r)
		}
	}
}

// registryError writes the error body of the distribution spec.
func registryError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errors":[{"code":%q,"message":%q,"detail":null}]}`+"\n", code, message)
}

// hangUp closes the connection under w without an answer; reset sends a
// TCP RST instead of a FIN.
func hangUp(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok && reset {
		tc.SetLinger(0)
	}
	conn.Close()
}
