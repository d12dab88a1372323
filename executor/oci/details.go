package oci

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"

	"github.com/containerd/platforms"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"golang.org/x/sync/errgroup"
)

// Details is a reference with what "imagetools inspect --format" shows of
// it, read as buildx's loader reads it: the manifest or index, then every
// image under it (nested indexes too) with its config, keyed by platform,
// and the attestation manifests that refer to each image. Attestation
// statements are fetched only when asked for (Predicates).
type Details struct {
	Descriptor ocispec.Descriptor // of Raw: media type, digest, size
	Raw        []byte             // the manifest or index, as the registry has it
	Index      *ocispec.Index     // Raw decoded, when it is an index
	// Platforms of the images, sorted, as buildx names them
	// ("linux/arm/v7"); an attestation is not an image.
	Platforms []string

	images map[string]*detailImage
	s      *session
	repo   name.Repository
}

type detailImage struct {
	config       *ocispec.Image
	attestations []ocispec.Manifest // the attestation manifests about it
}

// Attestation statements are small JSON documents, but an SBOM of a large
// image can be tens of MiB.
const maxStatementSize = 64 << 20

// maxIndexDepth bounds nested indexes, which real images do not nest.
const maxIndexDepth = 4

// Details loads ref (a tag or digest).
func (c *Client) Details(ctx context.Context, ref string) (*Details, error) {
	s, r, d, err := c.getRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	out := &Details{
		Descriptor: d.desc(),
		Raw:        d.Manifest,
		images:     map[string]*detailImage{},
		s:          s,
		repo:       r.Context(),
	}
	if d.MediaType.IsIndex() {
		var idx ocispec.Index
		if err := json.Unmarshal(d.Manifest, &idx); err != nil {
			return nil, fmt.Errorf("decoding index %s: %w", r, err)
		}
		out.Index = &idx
	}
	found, err := s.walk(ctx, r.Context(), out.Descriptor, d.Manifest, 0)
	if err != nil {
		return nil, err
	}
	attestations := map[digest.Digest][]ocispec.Manifest{}
	for _, f := range found {
		if f.subject != "" {
			attestations[f.subject] = append(attestations[f.subject], f.manifest)
		}
	}
	for _, f := range found {
		if f.subject != "" || out.images[f.platform] != nil {
			continue // the first image of a platform wins, in index order
		}
		out.images[f.platform] = &detailImage{config: f.config, attestations: attestations[f.digest]}
		out.Platforms = append(out.Platforms, f.platform)
	}
	slices.Sort(out.Platforms)
	return out, nil
}

// Raw is the manifest or index ref names, exactly as the registry has it.
func (c *Client) Raw(ctx context.Context, ref string) ([]byte, error) {
	_, _, d, err := c.getRef(ctx, ref)
	if err != nil {
		return nil, err
	}
	return d.Manifest, nil
}

// getRef fetches the manifest or index ref names, in a new session.
func (c *Client) getRef(ctx context.Context, ref string) (*session, name.Reference, *manifest, error) {
	r, err := c.insecure.parseRef(ref)
	if err != nil {
		return nil, nil, nil, err
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return nil, nil, nil, err
	}
	d, err := s.get(ctx, r)
	return s, r, d, err
}

// Config is the image config of the image of platform; nil if none.
func (d *Details) Config(platform string) *ocispec.Image {
	if im := d.images[platform]; im != nil {
		return im.config
	}
	return nil
}

// Predicates returns the predicates of the in-toto statements attached to
// the image of platform whose predicate type match accepts, in the order
// of its attestation manifests and their layers.
func (d *Details) Predicates(ctx context.Context, platform string, match func(predicateType string) bool) ([]json.RawMessage, error) {
	im := d.images[platform]
	if im == nil {
		return nil, nil
	}
	var out []json.RawMessage
	for _, m := range im.attestations {
		for _, l := range m.Layers {
			if !isInToto(l.MediaType) || !match(l.Annotations[annotationPredicateType]) {
				continue
			}
			raw, err := d.s.blob(ctx, d.repo.Digest(l.Digest.String()), maxStatementSize)
			if err != nil {
				return nil, err
			}
			if raw, err = unwrapDSSE(raw, l.MediaType); err != nil {
				return nil, fmt.Errorf("attestation %s: %w", l.Digest, err)
			}
			var st struct {
				Predicate json.RawMessage `json:"predicate"`
			}
			if err := json.Unmarshal(raw, &st); err != nil {
				return nil, fmt.Errorf("decoding attestation %s: %w", l.Digest, err)
			}
			out = append(out, st.Predicate)
		}
	}
	return out, nil
}

const (
	annotationPredicateType = "in-toto.io/predicate-type"
	mediaTypeInToto         = "application/vnd.in-toto+json"
	// older BuildKit named the subject with this key
	annotationReferenceDigestOld = "com.docker.reference.digest"
)

var mediaTypeInTotoDSSE = regexp.MustCompile(`^application/vnd\.in-toto\..*\+dsse$`)

func isInToto(mt string) bool { return mt == mediaTypeInToto || mediaTypeInTotoDSSE.MatchString(mt) }

// unwrapDSSE returns the statement inside a DSSE envelope.
func unwrapDSSE(raw []byte, mt string) ([]byte, error) {
	if !mediaTypeInTotoDSSE.MatchString(mt) {
		return raw, nil
	}
	var env struct {
		Payload string `json:"payload"`
	}
	if err := json.Unmarshal(raw, &env); err != nil {
		return nil, fmt.Errorf("decoding DSSE envelope: %w", err)
	}
	return base64.StdEncoding.DecodeString(env.Payload)
}

// walked is one image manifest found under a reference.
type walked struct {
	digest   digest.Digest
	manifest ocispec.Manifest
	subject  digest.Digest // for an attestation: the image it is about
	platform string        // for an image
	config   *ocispec.Image
}

// walk lists the image manifests under desc (itself, or an index's, in
// index order), reading at most 8 at a time.
func (s *session) walk(ctx context.Context, repo name.Repository, desc ocispec.Descriptor, raw []byte, depth int) ([]walked, error) {
	mt := types.MediaType(desc.MediaType)
	switch {
	case mt.IsImage():
		w, err := s.walkImage(ctx, repo, desc, raw)
		if err != nil {
			return nil, err
		}
		return []walked{w}, nil
	case !mt.IsIndex():
		return nil, nil // not an image: nothing to show
	case depth >= maxIndexDepth:
		return nil, fmt.Errorf("%s@%s: indexes nested deeper than %d", repo, desc.Digest, maxIndexDepth)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("decoding index %s@%s: %w", repo, desc.Digest, err)
	}
	parts := make([][]walked, len(idx.Manifests))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, child := range idx.Manifests {
		g.Go(func() error {
			d, err := s.get(gctx, repo.Digest(child.Digest.String()))
			if err != nil {
				return err
			}
			parts[i], err = s.walk(gctx, repo, child, d.Manifest, depth+1)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.Concat(parts...), nil
}

func (s *session) walkImage(ctx context.Context, repo name.Repository, desc ocispec.Descriptor, raw []byte) (walked, error) {
	w := walked{digest: desc.Digest}
	if err := json.Unmarshal(raw, &w.manifest); err != nil {
		return w, fmt.Errorf("decoding manifest %s@%s: %w", repo, desc.Digest, err)
	}
	for _, k := range []string{annotationReferenceDigestOld, annotationReferenceDigest} {
		if v := desc.Annotations[k]; v != "" {
			d, err := digest.Parse(v)
			if err != nil {
				return w, fmt.Errorf("%s@%s: annotation %s: %w", repo, desc.Digest, k, err)
			}
			w.subject = d
			return w, nil
		}
	}
	cfg, err := s.imageConfig(ctx, repo, w.manifest)
	if err != nil {
		return w, err
	}
	w.config = cfg
	p := desc.Platform
	if p == nil && cfg != nil {
		p = &ocispec.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}
	}
	if p == nil {
		p = &ocispec.Platform{}
	}
	w.platform = platforms.Format(platforms.Normalize(*p))
	return w, nil
}

// imageConfig reads the config of an image manifest; nil when it is not
// an image config (an artifact).
func (s *session) imageConfig(ctx context.Context, repo name.Repository, m ocispec.Manifest) (*ocispec.Image, error) {
	if !isImageConfig(m.Config.MediaType) {
		return nil, nil
	}
	raw, err := s.blob(ctx, repo.Digest(m.Config.Digest.String()), maxConfigSize)
	if err != nil {
		return nil, err
	}
	var cfg ocispec.Image
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return nil, fmt.Errorf("decoding config %s of %s: %w", m.Config.Digest, repo, err)
	}
	return &cfg, nil
}
