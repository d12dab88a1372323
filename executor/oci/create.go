package oci

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"strings"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// ComposeOptions are what "imagetools create" adds to its sources.
type ComposeOptions struct {
	// Annotations go on the index (which makes it an OCI index).
	Annotations map[string]string
	// DescriptorAnnotations go on the index's entries.
	DescriptorAnnotations []DescriptorAnnotation
	// CarbonCopy pushes a single image source as it is instead of
	// wrapping it in an index (buildx's --prefer-index=false).
	CarbonCopy bool
	// Platforms keeps only the manifests of these platforms (and the
	// attestations of those); empty keeps all.
	Platforms []ocispec.Platform
}

// DescriptorAnnotation is a "manifest-descriptor" annotation: set on
// every entry of the index, or on those of one platform.
type DescriptorAnnotation struct {
	Key, Value string
	Platform   *ocispec.Platform
}

// Create merges existing images and indexes (by tag or digest) into one
// index and pushes it to every tag, as buildx's bake merge does: see
// Compose. It returns the index descriptor.
func (c *Client) Create(ctx context.Context, tags []string, refs []string, annotations map[string]string) (ocispec.Descriptor, error) {
	srcs := make([]Source, len(refs))
	for i, r := range refs {
		srcs[i] = Source{Ref: r}
	}
	return c.CreateFrom(ctx, tags, srcs, ComposeOptions{Annotations: annotations})
}

// CreateFrom composes an index (see Compose) and pushes it to every tag,
// after the manifests it lists are in each tag's repository.
func (c *Client) CreateFrom(ctx context.Context, tags []string, srcs []Source, o ComposeOptions) (ocispec.Descriptor, error) {
	ts, err := c.insecure.parseTags(tags)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	idx, err := s.compose(ctx, srcs, o)
	if err != nil {
		return ocispec.Descriptor{}, fmt.Errorf("no tag was written: %w", err)
	}
	return c.push(ctx, s, ts, idx)
}

// Compose builds, without pushing, what CreateFrom pushes, as buildx's
// imagetools create does: sources that are indexes contribute their
// manifests, images themselves with the platform of their config (unless
// their descriptor says one); duplicates (by digest) are listed once, at
// their first place, with the last platform and annotations given for
// them. It is an OCI index unless every manifest is a Docker one and
// there are no annotations (then a Docker manifest list). A single index
// source without annotations is kept byte for byte, so that its digest
// does not change; so is a single image with CarbonCopy.
func (c *Client) Compose(ctx context.Context, srcs []Source, o ComposeOptions) (*Index, error) {
	s, err := c.newSession(ctx)
	if err != nil {
		return nil, err
	}
	return s.compose(ctx, srcs, o)
}

func (s *session) compose(ctx context.Context, srcs []Source, o ComposeOptions) (*Index, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no source images")
	}
	var m merged
	single := len(srcs) == 1 && len(o.Annotations) == 0 && len(o.DescriptorAnnotations) == 0
	for _, src := range srcs {
		r, err := s.c.insecure.parseRef(src.Ref)
		if err != nil {
			return nil, err
		}
		d, err := s.get(ctx, r)
		if err != nil {
			return nil, err
		}
		desc, err := src.resolvedDesc(d.desc())
		if err != nil {
			return nil, err
		}
		mt := types.MediaType(desc.MediaType)
		switch {
		case mt.IsIndex():
			var idx ocispec.Index
			if err := json.Unmarshal(d.Manifest, &idx); err != nil {
				return nil, fmt.Errorf("decoding index %s: %w", src.Ref, err)
			}
			if single {
				kept := &Index{Descriptor: desc, Raw: d.Manifest, children: childRefs(r.Context(), idx.Manifests)}
				return s.filtered(ctx, kept, idx, o.Platforms)
			}
			for _, child := range idx.Manifests {
				m.add(child, r.Context().Digest(child.Digest.String()))
			}
		case mt.IsImage():
			if desc.Platform == nil || desc.Platform.OS == "" || desc.Platform.Architecture == "" {
				p, err := s.imagePlatform(ctx, r.Context(), d)
				if err != nil {
					return nil, err
				}
				desc.Platform = fillPlatform(desc.Platform, p)
			}
			where := r.Context().Digest(desc.Digest.String())
			if single && o.CarbonCopy {
				return s.carbonCopy(ctx, desc, d.Manifest, where, o.Platforms)
			}
			m.add(desc, where)
		case mt == types.DockerManifestSchema1 || mt == types.DockerManifestSchema1Signed:
			return nil, fmt.Errorf("source %s is a schema 1 manifest, which an index cannot list", src.Ref)
		default:
			return nil, fmt.Errorf("source %s is a %s, not an image or index", src.Ref, desc.MediaType)
		}
	}
	mediaType := m.mediaType(o.Annotations, o.DescriptorAnnotations)
	for _, a := range o.DescriptorAnnotations {
		for i := range m.descs {
			d := &m.descs[i]
			if a.Platform != nil && (d.Platform == nil || platforms.Format(*d.Platform) != platforms.Format(*a.Platform)) {
				continue
			}
			if d.Annotations == nil {
				d.Annotations = map[string]string{}
			}
			d.Annotations[a.Key] = a.Value
		}
	}
	descs, children, err := keepPlatforms(m.descs, m.children, o.Platforms)
	if err != nil {
		return nil, err
	}
	idx, err := newIndex(mediaType, descs, children, o.Annotations)
	if err != nil {
		return nil, err
	}
	return s.verified(ctx, idx)
}

// fillPlatform completes a platform the source's descriptor gave in part
// with the image config's, as buildx's loadPlatform does.
func fillPlatform(given, config *ocispec.Platform) *ocispec.Platform {
	if given == nil {
		return config
	}
	if config == nil {
		return given
	}
	p := *given
	if p.Architecture == "" {
		p.Architecture = config.Architecture
		if p.Variant == "" {
			p.Variant = config.Variant
		}
	}
	if p.OS == "" {
		p.OS = config.OS
	}
	return &p
}

// carbonCopy is a single image pushed as it is (no index over it).
func (s *session) carbonCopy(ctx context.Context, desc ocispec.Descriptor, raw []byte, where name.Digest, plats []ocispec.Platform) (*Index, error) {
	if len(plats) > 0 {
		if desc.Platform == nil {
			return nil, fmt.Errorf("cannot filter platforms of %s: it has no platform", where)
		}
		if !platforms.Any(plats...).Match(*desc.Platform) {
			return nil, fmt.Errorf("%s is %s, which matches none of the platforms asked for", where, platforms.Format(*desc.Platform))
		}
	}
	return s.verified(ctx, &Index{
		Descriptor: ocispec.Descriptor{MediaType: desc.MediaType, Digest: desc.Digest, Size: desc.Size},
		Raw:        raw,
		children:   []name.Digest{where},
	})
}

// filtered is a kept index source with only the manifests of plats: the
// bytes change only when an entry is dropped.
func (s *session) filtered(ctx context.Context, kept *Index, idx ocispec.Index, plats []ocispec.Platform) (*Index, error) {
	descs, children, err := keepPlatforms(idx.Manifests, kept.children, plats)
	if err != nil {
		return nil, err
	}
	if len(descs) == len(idx.Manifests) {
		return s.verified(ctx, kept)
	}
	idx.Manifests = descs
	raw, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding image index: %w", err)
	}
	return s.verified(ctx, &Index{
		Descriptor: ocispec.Descriptor{MediaType: kept.Descriptor.MediaType, Digest: digest.FromBytes(raw), Size: int64(len(raw))},
		Raw:        raw,
		children:   children,
	})
}

// keepPlatforms keeps the entries whose platform is one of plats, those
// without a platform, and the attestation manifests of the kept images
// (listed as unknown/unknown, they follow their subject), as buildx does.
// No plats keeps everything.
func keepPlatforms(descs []ocispec.Descriptor, children []name.Digest, plats []ocispec.Platform) ([]ocispec.Descriptor, []name.Digest, error) {
	if len(plats) == 0 {
		return descs, children, nil
	}
	match := platforms.Any(plats...)
	kept := map[digest.Digest]bool{}
	for _, d := range descs {
		if !isAttestation(d) && (d.Platform == nil || match.Match(*d.Platform)) {
			kept[d.Digest] = true
		}
	}
	var outD []ocispec.Descriptor
	var outC []name.Digest
	for i, d := range descs {
		keep := kept[d.Digest]
		if isAttestation(d) {
			keep = kept[digest.Digest(d.Annotations[annotationReferenceDigest])]
		}
		if keep {
			outD = append(outD, d)
			outC = append(outC, children[i])
		}
	}
	if len(outD) == 0 {
		return nil, nil, fmt.Errorf("none of the manifests is for %s", formatPlatforms(plats))
	}
	return outD, outC, nil
}

func isAttestation(d ocispec.Descriptor) bool {
	return d.Annotations[annotationReferenceType] == attestationManifestType && d.Annotations[annotationReferenceDigest] != ""
}

func formatPlatforms(ps []ocispec.Platform) string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = platforms.Format(p)
	}
	return strings.Join(names, ", ")
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

// add appends d, or updates the earlier entry of the same digest as
// buildx does: a platform given replaces it, annotations are added over
// its own.
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
	if old.MediaType == "" {
		old.MediaType = d.MediaType
	}
	if d.Platform != nil {
		old.Platform = d.Platform
	}
	if len(d.Annotations) > 0 {
		old.Annotations = maps.Clone(old.Annotations)
		if old.Annotations == nil {
			old.Annotations = map[string]string{}
		}
		maps.Copy(old.Annotations, d.Annotations)
	}
}

// mediaType is a Docker manifest list when every entry is a Docker
// manifest and nothing is annotated (a Docker list has no annotations),
// an OCI index otherwise.
func (m *merged) mediaType(annotations map[string]string, descAnnotations []DescriptorAnnotation) string {
	if len(annotations) > 0 || len(descAnnotations) > 0 {
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
