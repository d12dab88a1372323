package oci

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// PushIndex pushes one OCI index over manifests (in the given order, with
// their platforms and annotations) to every tag. Every manifest is checked
// to exist before the first tag is written, so a missing platform leaves
// every tag as it was. Manifests in another repository than a tag are
// made available there first (blobs are mounted within a registry, copied
// across registries). It returns the index descriptor.
func (c *Client) PushIndex(ctx context.Context, tags []string, manifests []Manifest, annotations map[string]string) (ocispec.Descriptor, error) {
	ts, err := c.insecure.parseTags(tags)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if len(manifests) == 0 {
		return ocispec.Descriptor{}, fmt.Errorf("pushing index to %s: no manifests", tags[0])
	}
	children := make([]name.Digest, len(manifests))
	for i, m := range manifests {
		d, err := c.insecure.parseDigest(m.Ref)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		if m.Descriptor.Digest != "" && m.Descriptor.Digest.String() != d.DigestStr() {
			return ocispec.Descriptor{}, fmt.Errorf("manifest %s: descriptor digest is %s", m.Ref, m.Descriptor.Digest)
		}
		children[i] = d
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	descs, err := s.checkManifests(ctx, manifests, children)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("no tag was written: %w", err)
	}
	idx, err := newIndex(ocispec.MediaTypeImageIndex, descs, children, annotations)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return c.push(ctx, s, ts, idx)
}

// checkManifests HEADs every manifest, concurrently, and reports all that
// are missing at once. The registry's size and media type fill in what
// the caller left empty and must agree with what it set.
func (s *session) checkManifests(ctx context.Context, manifests []Manifest, children []name.Digest) ([]ocispec.Descriptor, error) {
	descs := make([]ocispec.Descriptor, len(manifests))
	errs := make([]error, len(manifests))
	var wg sync.WaitGroup
	for i, m := range manifests {
		wg.Go(func() {
			got, err := s.head(ctx, children[i])
			if isNotFound(err) {
				errs[i] = fmt.Errorf("manifest %s%s not found", children[i], platformSuffix(m.Descriptor.Platform))
				return
			}
			if err != nil {
				errs[i] = err
				return
			}
			d := m.Descriptor
			d.Digest = digest.Digest(got.Digest.String())
			switch {
			case d.Size != 0 && d.Size != got.Size:
				errs[i] = fmt.Errorf("manifest %s: descriptor size %d, registry has %d bytes", m.Ref, d.Size, got.Size)
			case d.MediaType != "" && d.MediaType != string(got.MediaType):
				errs[i] = fmt.Errorf("manifest %s: descriptor media type %s, registry has %s", m.Ref, d.MediaType, got.MediaType)
			}
			d.Size, d.MediaType = got.Size, string(got.MediaType)
			descs[i] = d
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return descs, nil
}

func isNotFound(err error) bool {
	var te *transport.Error
	return errors.As(err, &te) && te.StatusCode == http.StatusNotFound
}

func platformSuffix(p *ocispec.Platform) string {
	if p == nil {
		return ""
	}
	return " (" + platformID(*p) + ")"
}
