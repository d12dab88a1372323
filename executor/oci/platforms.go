package oci

import (
	"context"
	"errors"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Platforms returns the platforms the image ref offers, as a build pulls
// it: the platforms of an index's image manifests (attestation manifests
// and entries without a platform left out), or the platform of a single
// image's config. The base-image check (package preflight) asks it.
func (c *Client) Platforms(ctx context.Context, ref string) ([]ocispec.Platform, error) {
	in, err := c.Inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	return in.Platforms()
}

// Platforms are the platforms of what Inspect found, as Client.Platforms
// gives them.
func (in *Inspection) Platforms() ([]ocispec.Platform, error) {
	if in.Manifests == nil {
		if in.Platform == nil {
			return nil, errors.New("the image names no platform")
		}
		return []ocispec.Platform{*in.Platform}, nil
	}
	var out []ocispec.Platform
	for _, m := range in.Manifests {
		if !m.Attestation && m.Platform != nil {
			out = append(out, *m.Platform)
		}
	}
	return out, nil
}
