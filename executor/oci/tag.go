package oci

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Tag points every tag at src ("repo@sha256:..."), the manifest or index
// exactly as it was pushed, so that its digest does not change: what a
// solve pushing by tag would have left. src is made available in each
// tag's repository first, as for PushIndex. It returns src's descriptor.
func (c *Client) Tag(ctx context.Context, tags []string, src string) (ocispec.Descriptor, error) {
	ts, err := c.insecure.parseTags(tags)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	d, err := c.insecure.parseDigest(src)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	got, err := s.get(ctx, d)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("no tag was written: %w", err)
	}
	m := &Index{
		Descriptor: got.desc(),
		Raw:        got.Manifest,
		// push copies the children into the other tags' repositories: here
		// that is src itself, with everything it references.
		children: []name.Digest{d},
	}
	return c.push(ctx, s, ts, m)
}
