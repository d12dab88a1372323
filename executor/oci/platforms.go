package oci

import (
	"errors"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Platforms are the platforms an image offers, as a build pulls it: the
// platforms of an index's image manifests (attestation manifests and
// entries without a platform left out), or the platform of a single
// image's config. The base-image check (package preflight) asks for them.
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
