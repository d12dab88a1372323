package oci

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Create merges existing images and indexes (by tag or digest) into one
// index and pushes it to every tag; see ComposeIndex. It returns the
// index descriptor.
func (c *Client) Create(ctx context.Context, tags []string, sources []string, annotations map[string]string) (ocispec.Descriptor, error) {
	ts, err := c.insecure.parseTags(tags)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	idx, err := s.compose(ctx, sources, annotations)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("no tag was written: %w", err)
	}
	return c.push(ctx, s, ts, idx)
}

// ComposeIndex builds, without pushing, the index Create would push:
// sources that are indexes contribute their manifests, images contribute
// themselves with the platform of their config, duplicates (by digest)
// are dropped and source order is kept. It is an OCI index unless every
// manifest is a Docker one and there are no annotations (then a Docker
// manifest list, as buildx does). A single index source without
// annotations is kept byte for byte, so that its digest does not change.
func (c *Client) ComposeIndex(ctx context.Context, sources []string, annotations map[string]string) (*Index, error) {
	s, err := c.newSession(ctx)
	if err != nil {
		return nil, err
	}
	return s.compose(ctx, sources, annotations)
}

func (s *session) compose(ctx context.Context, sources []string, annotations map[string]string) (*Index, error) {
	if len(sources) == 0 {
		return nil, fmt.Errorf("no source images")
	}
	var m merged
	for _, src := range sources {
		r, err := s.c.insecure.parseRef(src)
		if err != nil {
			return nil, err
		}
		d, err := s.get(ctx, r)
		if err != nil {
			return nil, err
		}
		switch {
		case d.MediaType.IsIndex():
			var idx ocispec.Index
			if err := json.Unmarshal(d.Manifest, &idx); err != nil {
				return nil, fmt.Errorf("decoding index %s: %w", src, err)
			}
			if len(sources) == 1 && len(annotations) == 0 {
				return s.verified(ctx, &Index{
					Descriptor: ocispec.Descriptor{MediaType: string(d.MediaType), Digest: digest.Digest(d.Digest.String()), Size: d.Size},
					Raw:        d.Manifest,
					children:   childRefs(r.Context(), idx.Manifests),
				})
			}
			for _, child := range idx.Manifests {
				m.add(child, r.Context().Digest(child.Digest.String()))
			}
		case d.MediaType.IsImage():
			p, err := s.imagePlatform(ctx, r.Context(), d)
			if err != nil {
				return nil, err
			}
			m.add(ocispec.Descriptor{MediaType: string(d.MediaType), Digest: digest.Digest(d.Digest.String()), Size: d.Size, Platform: p}, r.Context().Digest(d.Digest.String()))
		default:
			return nil, fmt.Errorf("source %s is a %s, not an image or index", src, d.MediaType)
		}
	}
	idx, err := newIndex(m.mediaType(annotations), m.descs, m.children, annotations)
	if err != nil {
		return nil, err
	}
	return s.verified(ctx, idx)
}

// verified checks that every manifest of idx exists where it is said to
// be: an index source may list manifests its repository no longer has.
func (s *session) verified(ctx context.Context, idx *Index) (*Index, error) {
	ms := make([]Manifest, len(idx.children))
	for i, ch := range idx.children {
		ms[i] = Manifest{Ref: ch.String()}
	}
	if _, err := s.checkManifests(ctx, ms, idx.children); err != nil {
		return nil, err
	}
	return idx, nil
}

// merged accumulates index entries, deduplicated by digest.
type merged struct {
	descs    []ocispec.Descriptor
	children []name.Digest
	at       map[digest.Digest]int
}

// add appends d, or completes an earlier entry of the same digest with a
// platform or annotations it lacked (the same image listed twice).
func (m *merged) add(d ocispec.Descriptor, where name.Digest) {
	if m.at == nil {
		m.at = map[digest.Digest]int{}
	}
	i, ok := m.at[d.Digest]
	if !ok {
		m.at[d.Digest] = len(m.descs)
		m.descs = append(m.descs, d)
		m.children = append(m.children, where)
		return
	}
	old := &m.descs[i]
	if old.Platform == nil {
		old.Platform = d.Platform
	}
	for k, v := range d.Annotations {
		if _, set := old.Annotations[k]; set {
			continue
		}
		if old.Annotations == nil {
			old.Annotations = map[string]string{}
		}
		old.Annotations[k] = v
	}
}

func (m *merged) mediaType(annotations map[string]string) string {
	if len(annotations) > 0 {
		return ocispec.MediaTypeImageIndex
	}
	for _, d := range m.descs {
		switch types.MediaType(d.MediaType) {
		case types.DockerManifestSchema2, types.DockerManifestList:
		default:
			return ocispec.MediaTypeImageIndex
		}
	}
	return string(types.DockerManifestList)
}

func childRefs(repo name.Repository, descs []ocispec.Descriptor) []name.Digest {
	out := make([]name.Digest, len(descs))
	for i, d := range descs {
		out[i] = repo.Digest(d.Digest.String())
	}
	return out
}
