package oci

import (
	"context"
	"errors"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

var errNotImplemented = errors.New("not implemented")

// Client talks to registries with credentials from the docker config file,
// plain HTTP for loopback registries, and retries of transient errors.
type Client struct {
	retries int
}

// Option configures a Client.
type Option func(*Client)

// WithRetries sets how many times a transient error (connection reset,
// EOF, 5xx, 429) is retried with backoff; build errors are never retried.
func WithRetries(n int) Option { return func(c *Client) { c.retries = n } }

// NewClient returns a registry client.
func NewClient(opts ...Option) *Client {
	c := &Client{retries: 3}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Manifest is one per-platform image already pushed by digest.
type Manifest struct {
	// Ref is "repo@sha256:..." in the repository of the index's tags.
	Ref        string
	Descriptor ocispec.Descriptor // digest, size, media type, platform
}

// PushIndex pushes one OCI index over manifests (in the given order) to
// every tag. All tags must be in registries that already hold the
// manifests (blobs are mounted or copied within a registry when the tags
// name another repository). It returns the index descriptor.
func (c *Client) PushIndex(ctx context.Context, tags []string, manifests []Manifest, annotations map[string]string) (ocispec.Descriptor, error) {
	return ocispec.Descriptor{}, errNotImplemented
}

// IsTransient reports whether err is worth retrying: connection resets,
// unexpected EOF, timeouts, HTTP 5xx and 429.
func IsTransient(err error) bool { return false }
