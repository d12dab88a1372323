package oci

import (
	"context"
)

// ResolveImage returns the digest the registry serves for ref (a tag or
// digest): the index of a multi-platform image, else its manifest. It is
// what a base image contributes to an input digest.
func (c *Client) ResolveImage(ctx context.Context, ref string) (string, error) {
	r, err := c.insecure.parseRef(ref)
	if err != nil {
		return "", err
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return "", err
	}
	d, err := s.head(ctx, r)
	if err != nil {
		return "", err
	}
	return d.Digest.String(), nil
}

// Lookup is Inspect, or nil without an error when ref does not exist.
func (c *Client) Lookup(ctx context.Context, ref string) (*Inspection, error) {
	in, err := c.Inspect(ctx, ref)
	if isNotFound(err) {
		return nil, nil
	}
	return in, err
}
