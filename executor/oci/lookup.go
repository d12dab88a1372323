package oci

import (
	"context"
)

// Lookup is Inspect, or nil without an error when ref does not exist.
func (c *Client) Lookup(ctx context.Context, ref string) (*Inspection, error) {
	in, err := c.Inspect(ctx, ref)
	if isNotFound(err) {
		return nil, nil
	}
	return in, err
}
