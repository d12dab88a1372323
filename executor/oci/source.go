package oci

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Source is one source of "imagetools create": a manifest or index by
// reference, with what the command line said about it.
type Source struct {
	// Ref is where it is: "repo:tag" or "repo@sha256:...".
	Ref string
	// Desc holds what a descriptor source gave: a media type, a platform
	// or annotations replace the registry's, and a size must agree with
	// it. Empty for a reference source.
	Desc ocispec.Descriptor
}

// ParseSources reads create's sources as buildx does: each is an image
// reference, a bare digest ("sha256:..."), or an OCI content descriptor
// as JSON ({"digest": ..., "mediaType": ..., "platform": ...}). A digest
// or descriptor names a manifest of the one repository the tags and the
// other sources name; with none or several, it is an error.
func ParseSources(args, tags []string) ([]Source, error) {
	srcs := make([]Source, len(args))
	repos := map[string]bool{}
	var defaultRepo string
	for _, t := range tags {
		r, err := name.NewTag(t)
		if err != nil {
			return nil, fmt.Errorf("invalid tag %q: %w", t, err)
		}
		repos[r.Context().Name()] = true
	}
	for i, a := range args {
		s, err := parseSource(a)
		if err != nil {
			return nil, fmt.Errorf("invalid source %q (a source is a reference, a digest or a descriptor as JSON): %w", a, err)
		}
		if s.Ref != "" {
			r, _ := name.ParseReference(s.Ref)
			repos[r.Context().Name()] = true
			if defaultRepo == "" {
				defaultRepo = r.Context().Name()
			}
		}
		srcs[i] = s
	}
	if defaultRepo == "" && len(tags) > 0 {
		t, _ := name.NewTag(tags[0])
		defaultRepo = t.Context().Name()
	}
	for i := range srcs {
		if srcs[i].Ref != "" {
			continue
		}
		switch {
		case len(repos) == 0:
			return nil, fmt.Errorf("source %q: no repository to find it in: give a tag or a source with a repository", args[i])
		case len(repos) > 1:
			return nil, fmt.Errorf("source %q: the tags and sources name several repositories, so it is not clear which one holds it: give it as repo@%s", args[i], srcs[i].Desc.Digest)
		}
		srcs[i].Ref = defaultRepo + "@" + srcs[i].Desc.Digest.String()
	}
	return srcs, nil
}

func parseSource(s string) (Source, error) {
	if d, err := digest.Parse(s); err == nil {
		return Source{Desc: ocispec.Descriptor{Digest: d}}, nil
	} else if strings.HasPrefix(s, "sha256") {
		return Source{}, err
	}
	if !strings.HasPrefix(s, "{") {
		if _, err := name.ParseReference(s); err != nil {
			return Source{}, err
		}
		return Source{Ref: s}, nil
	}
	var d struct {
		SchemaVersion int `json:"schemaVersion"`
		ocispec.Descriptor
	}
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return Source{}, err
	}
	if d.SchemaVersion != 0 {
		return Source{}, fmt.Errorf("this is a manifest or index (schemaVersion %d), not a descriptor of one", d.SchemaVersion)
	}
	if d.Digest == "" {
		return Source{}, fmt.Errorf("the descriptor has no digest")
	}
	if err := d.Digest.Validate(); err != nil {
		return Source{}, fmt.Errorf("the descriptor's digest: %w", err)
	}
	return Source{Desc: d.Descriptor}, nil
}

// resolvedDesc is what the registry says of a source (media type, digest,
// size), updated with what the source's own descriptor says, as buildx's
// mergeDesc does: annotations and platform are replaced, not merged.
func (s Source) resolvedDesc(got ocispec.Descriptor) (ocispec.Descriptor, error) {
	d := s.Desc
	if d.Digest != "" && d.Digest != got.Digest {
		return got, fmt.Errorf("source %s is %s, not %s", s.Ref, got.Digest, d.Digest)
	}
	if d.Size != 0 && d.Size != got.Size {
		return got, fmt.Errorf("source %s: the descriptor says size %d, the registry %d", s.Ref, d.Size, got.Size)
	}
	if d.MediaType != "" {
		got.MediaType = d.MediaType
	}
	if len(d.Annotations) > 0 {
		got.Annotations = d.Annotations
	}
	if d.Platform != nil {
		got.Platform = d.Platform
	}
	return got, nil
}
