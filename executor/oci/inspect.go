package oci

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Inspection is what a registry says about one reference.
type Inspection struct {
	Name      string        `json:"name"` // the reference, fully qualified
	MediaType string        `json:"mediaType"`
	Digest    digest.Digest `json:"digest"`
	Size      int64         `json:"size"`
	// Platform is a single image's, from its config; nil for an index.
	Platform    *ocispec.Platform   `json:"platform,omitempty"`
	Annotations map[string]string   `json:"annotations,omitempty"`
	Manifests   []InspectedManifest `json:"manifests,omitempty"` // of an index, in its order
}

// InspectedManifest is one entry of an index.
type InspectedManifest struct {
	Name      string            `json:"name"` // repo@digest
	MediaType string            `json:"mediaType"`
	Digest    digest.Digest     `json:"digest"`
	Size      int64             `json:"size"`
	Platform  *ocispec.Platform `json:"platform,omitempty"`
	// Attestation marks BuildKit's provenance/SBOM manifests, which an
	// index lists with platform unknown/unknown.
	Attestation bool              `json:"attestation,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Annotation keys BuildKit sets on an attestation manifest's descriptor:
// its type, and the digest of the image it is about.
const (
	annotationReferenceType   = "vnd.docker.reference.type"
	annotationReferenceDigest = "vnd.docker.reference.digest"
	attestationManifestType   = "attestation-manifest"
)

var unknownPlatform = ocispec.Platform{OS: "unknown", Architecture: "unknown"}

// Inspect describes ref (a tag or digest): for an index, each manifest
// with its platform; for a single image, the platform of its config.
func (c *Client) Inspect(ctx context.Context, ref string) (*Inspection, error) {
	s, r, d, err := c.getRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	in := &Inspection{Name: r.Name(), MediaType: string(d.MediaType), Digest: digest.Digest(d.Digest.String()), Size: d.Size}
	switch {
	case d.MediaType.IsIndex():
		var idx ocispec.Index
		if err := json.Unmarshal(d.Manifest, &idx); err != nil {
			return nil, fmt.Errorf("decoding index %s: %w", r, err)
		}
		in.Annotations = idx.Annotations
		for _, m := range idx.Manifests {
			in.Manifests = append(in.Manifests, inspectedManifest(r.Context(), m))
		}
	case d.MediaType.IsImage():
		p, err := s.imagePlatform(ctx, r.Context(), d)
		if err != nil {
			return nil, err
		}
		in.Platform = p
		var m ocispec.Manifest
		if err := json.Unmarshal(d.Manifest, &m); err == nil {
			in.Annotations = m.Annotations
		}
	}
	return in, nil
}

func inspectedManifest(repo name.Repository, m ocispec.Descriptor) InspectedManifest {
	im := InspectedManifest{
		Name:        repo.Digest(m.Digest.String()).String(),
		MediaType:   m.MediaType,
		Digest:      m.Digest,
		Size:        m.Size,
		Platform:    m.Platform,
		Annotations: m.Annotations,
	}
	if m.Annotations[annotationReferenceType] == attestationManifestType {
		im.Attestation = true
		if im.Platform == nil {
			p := unknownPlatform
			im.Platform = &p
		}
	}
	return im
}

// imagePlatform reads the platform of an image manifest from its config;
// nil when the config is not an image config (an artifact) or names none.
func (s *session) imagePlatform(ctx context.Context, repo name.Repository, d *manifest) (*ocispec.Platform, error) {
	var m ocispec.Manifest
	if err := json.Unmarshal(d.Manifest, &m); err != nil {
		return nil, fmt.Errorf("decoding manifest %s@%s: %w", repo, d.Digest, err)
	}
	cfg, err := s.imageConfig(ctx, repo, m)
	if err != nil || cfg == nil {
		return nil, err
	}
	if cfg.OS == "" && cfg.Architecture == "" {
		return nil, nil // no platform is better than "/"
	}
	p := cfg.Platform
	return &p, nil
}

func isImageConfig(mt string) bool {
	return mt == ocispec.MediaTypeImageConfig || mt == "application/vnd.docker.container.image.v1+json"
}
