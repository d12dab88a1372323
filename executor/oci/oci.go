package oci

import (
	"context"
	"net/http"
	"strings"
	"sync"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Client talks to registries with credentials from the docker config file,
// plain HTTP for loopback registries, timeouts on silent connections, and
// retries of transient errors.
type Client struct {
	retries   int
	backoff   Backoff
	keychain  authn.Keychain
	timeouts  Timeouts
	transport http.RoundTripper
	insecure  insecureHosts
	// manifests are those fetched, by "repository@digest" (session.get).
	manifests sync.Map
}

// Option configures a Client.
type Option func(*Client)

// WithRetries sets how many times a transient error (connection reset,
// EOF, 5xx, 429) is retried with backoff; build errors are never retried.
// WithRetries(0) makes one attempt per registry call.
func WithRetries(n int) Option { return func(c *Client) { c.retries = max(n, 0) } }

// WithBackoff replaces DefaultBackoff for this client's retries (tests use
// a millisecond base so that retrying stays fast).
func WithBackoff(b Backoff) Option { return func(c *Client) { c.backoff = b } }

// WithDockerConfig reads credentials from dir/config.json instead of
// $DOCKER_CONFIG or ~/.docker; the CLI passes its own environment's value
// so that in-process tests do not depend on the test process environment.
func WithDockerConfig(dir string) Option {
	return func(c *Client) { c.keychain = dockerConfigKeychain{dir: dir} }
}

// WithInsecureRegistries marks registries (host[:port]) that may be
// reached over plain HTTP, or over TLS without checking the certificate:
// the registries of outputs and caches with registry.insecure=true.
func WithInsecureRegistries(hosts ...string) Option {
	return func(c *Client) {
		for _, h := range hosts {
			if c.insecure == nil {
				c.insecure = insecureHosts{}
			}
			c.insecure[strings.ToLower(h)] = true
		}
	}
}

// NewClient returns a registry client.
func NewClient(opts ...Option) *Client {
	c := &Client{
		retries:  3,
		backoff:  DefaultBackoff,
		keychain: authn.DefaultKeychain,
		timeouts: DefaultTimeouts,
	}
	for _, o := range opts {
		o(c)
	}
	if c.transport == nil {
		inner := Transport(c.timeouts)
		t := loopbackOnlyHTTP{inner: inner, insecure: c.insecure}
		if len(c.insecure) > 0 {
			t.skipVerify = withoutVerify(inner)
		}
		c.transport = t
	}
	return c
}

// Manifest is one per-platform image already pushed by digest.
type Manifest struct {
	// Ref is "repo@sha256:..." in the repository of the index's tags.
	Ref        string
	Descriptor ocispec.Descriptor // digest, size, media type, platform
}

// retry runs fn with the client's retry budget and backoff.
func (c *Client) retry(ctx context.Context, fn func(context.Context) error) error {
	return c.backoff.Retry(ctx, c.retries+1, fn)
}

// remoteOptions are the ggcr options of every registry call. ggcr's own
// retry transport is switched off: one retry loop (ours) owns the budget,
// so that WithRetries means what it says and errors are classified once.
func (c *Client) remoteOptions(ctx context.Context) []remote.Option {
	return []remote.Option{
		remote.WithContext(ctx),
		remote.WithAuthFromKeychain(c.keychain),
		remote.WithTransport(c.transport),
		remote.WithRetryPredicate(func(error) bool { return false }),
		remote.WithRetryStatusCodes(),
		remote.WithUserAgent("xbake"),
	}
}
