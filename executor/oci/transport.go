package oci

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// Timeouts bound how long a registry (or any HTTP server) may keep a call
// waiting without doing anything. They never bound a call that makes
// progress, however slow: a registry that takes 10 s per answer works.
type Timeouts struct {
	// Connect bounds the TCP connection and the TLS handshake.
	Connect time.Duration
	// Idle bounds the time a connection sends and receives nothing: an
	// answer that never comes (a registry that accepts a manifest and
	// hangs), an upload the server stopped reading, a body that stops
	// midway.
	Idle time.Duration
}

// DefaultTimeouts give a registry a minute of silence, six times what a
// slow one takes to answer, and half a minute to connect, as Go's and
// go-containerregistry's default transports do.
var DefaultTimeouts = Timeouts{Connect: 30 * time.Second, Idle: time.Minute}

// WithTimeouts replaces DefaultTimeouts for this client's connections.
func WithTimeouts(t Timeouts) Option { return func(c *Client) { c.timeouts = t } }

// Transport is go-containerregistry's default transport (proxy from the
// environment, HTTP/2, connection reuse) with t's timeouts on every
// connection. The CLI fetches remote definitions with it too.
func Transport(t Timeouts) *http.Transport {
	tr := remote.DefaultTransport.(*http.Transport).Clone()
	d := &net.Dialer{Timeout: t.Connect, KeepAlive: 30 * time.Second}
	tr.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil || t.Idle <= 0 {
			return c, err
		}
		return &idleConn{Conn: c, addr: addr, idle: t.Idle}, nil
	}
	if t.Connect > 0 {
		tr.TLSHandshakeTimeout = t.Connect
	}
	if t.Idle > 0 {
		// A pooled connection is closed before its idle deadline can
		// fail the next request sent on it.
		tr.IdleConnTimeout = min(tr.IdleConnTimeout, t.Idle/2)
	}
	return tr
}

// idleConn fails a read or write once the connection has been silent for
// idle: every read and write pushes both deadlines back (a write extends
// the read that waits for its answer).
type idleConn struct {
	net.Conn
	addr string
	idle time.Duration
}

func (c *idleConn) Read(b []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(c.idle))
	n, err := c.Conn.Read(b)
	return n, c.explain(err)
}

func (c *idleConn) Write(b []byte) (int, error) {
	c.Conn.SetDeadline(time.Now().Add(c.idle))
	n, err := c.Conn.Write(b)
	return n, c.explain(err)
}

func (c *idleConn) explain(err error) error {
	if err == nil || !os.IsTimeout(err) {
		return err
	}
	return &idleError{addr: c.addr, idle: c.idle, err: err}
}

// idleError is a connection given up for silence. It is a net.Error
// timeout, so that retries treat it as transient.
type idleError struct {
	addr string
	idle time.Duration
	err  error
}

func (e *idleError) Error() string {
	return fmt.Sprintf("%s sent nothing for %s", e.addr, e.idle)
}
func (e *idleError) Unwrap() error   { return e.err }
func (e *idleError) Timeout() bool   { return true }
func (e *idleError) Temporary() bool { return true }
