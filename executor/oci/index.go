package oci

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Index is an image index ready to push: its bytes, and where each of its
// manifests lives now (all of them checked to exist).
type Index struct {
	Descriptor ocispec.Descriptor // of Raw: digest, size, media type
	Raw        []byte             // the index manifest, exactly as pushed
	children   []name.Digest      // Raw's manifests, in order, where they are
}

// newIndex marshals an index over descs; children[i] is where descs[i] is.
// The bytes are indented, as BuildKit writes them, so that a dry run
// prints exactly what would be pushed.
func newIndex(mediaType string, descs []ocispec.Descriptor, children []name.Digest, annotations map[string]string) (*Index, error) {
	idx := ocispec.Index{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		MediaType:   mediaType,
		Manifests:   descs,
		Annotations: annotations,
	}
	raw, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding image index: %w", err)
	}
	return &Index{
		Descriptor: ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(raw), Size: int64(len(raw))},
		Raw:        raw,
		children:   children,
	}, nil
}

// push writes idx to every tag. Its manifests are first made available in
// each tag's repository (mounted or copied); only then is any tag written,
// so a failure before that leaves every tag as it was.
func (c *Client) push(ctx context.Context, s *session, tags []name.Tag, idx *Index) (ocispec.Descriptor, error) {
	seen := map[string]bool{}
	for _, t := range tags {
		repo := t.Context()
		if seen[repo.String()] {
			continue
		}
		seen[repo.String()] = true
		for _, src := range idx.children {
			if src.Context().String() == repo.String() {
				continue
			}
			if err := s.copy(ctx, src, repo.Digest(src.DigestStr())); err != nil {
				return ocispec.Descriptor{}, fmt.Errorf("no tag was written: %w", err)
			}
		}
	}
	for i, t := range tags {
		if err := s.put(ctx, t, idx.Raw, idx.Descriptor.MediaType); err != nil {
			if i == 0 {
				return ocispec.Descriptor{}, fmt.Errorf("no tag was written: %w", err)
			}
			return ocispec.Descriptor{}, &PartialPushError{Index: idx.Descriptor, Tags: tagNames(tags[:i]), Err: err}
		}
	}
	return idx.Descriptor, nil
}

// PartialPushError is a push that failed after some tags were written:
// they point at the new index, the others are as they were.
type PartialPushError struct {
	Index ocispec.Descriptor
	Tags  []string // the tags written, in order
	Err   error    // why the next tag was not
}

func (e *PartialPushError) Error() string {
	return fmt.Sprintf("%v (tags already pointing at %s: %v)", e.Err, e.Index.Digest, e.Tags)
}

func (e *PartialPushError) Unwrap() error { return e.Err }

// parseTags parses every tag up front so that a typo fails before any
// registry is touched.
func parseTags(tags []string) ([]name.Tag, error) {
	if len(tags) == 0 {
		return nil, fmt.Errorf("no tag to push the index to")
	}
	out := make([]name.Tag, len(tags))
	for i, s := range tags {
		t, err := parseTag(s)
		if err != nil {
			return nil, err
		}
		out[i] = t
	}
	return out, nil
}

func tagNames(tags []name.Tag) []string {
	out := make([]string, len(tags))
	for i, t := range tags {
		out[i] = t.String()
	}
	return out
}
