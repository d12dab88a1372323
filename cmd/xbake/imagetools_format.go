//go:build !xbakefront

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strings"
	"text/template"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/executor/oci"
)

// The --format templates of "imagetools inspect" see what buildx's see
// (util/imagetools/printers.go): .Name as given, .Manifest (the
// descriptor of an image, or the index with its digest and size), .Image
// (the config of the one image, or a map of configs by platform when
// there are several), and .SBOM and .Provenance (the SPDX and SLSA
// predicates of the attestations, one or by platform). Like buildx's,
// the output has no newline of its own.

// wholeManifest is buildx's "{{.Manifest}}", which prints the text form.
var wholeManifest = regexp.MustCompile(`^\{\{\s*\.Manifest\s*\}\}$`)

func isTemplate(format string) bool { return strings.Contains(format, "{{") }

func parseInspectTemplate(format string) (*template.Template, error) {
	return template.New("format").Funcs(template.FuncMap{
		"json": func(v any) string {
			b, _ := json.MarshalIndent(v, "", "  ")
			return string(b)
		},
	}).Parse(format)
}

// indexManifest is .Manifest for an index.
type indexManifest struct {
	SchemaVersion int                  `json:"schemaVersion"`
	MediaType     string               `json:"mediaType,omitempty"`
	Digest        digest.Digest        `json:"digest"`
	Size          int64                `json:"size"`
	Manifests     []ocispec.Descriptor `json:"manifests"`
	Annotations   map[string]string    `json:"annotations,omitempty"`
}

type sbomStub struct {
	SPDX            any   `json:",omitempty"`
	AdditionalSPDXs []any `json:",omitempty"`
}

type provenanceStub struct {
	SLSA any `json:",omitempty"`
}

// formatInput is the template's data for one image (or none).
type formatInput struct {
	Name     string          `json:"name,omitempty"`
	Manifest any             `json:"manifest,omitempty"`
	Image    *ocispec.Image  `json:"image,omitempty"`
	ctx      context.Context // .SBOM and .Provenance read from the registry
	d        *oci.Details
}

// formatInputs is the template's data for several platforms.
type formatInputs struct {
	Name     string                    `json:"name,omitempty"`
	Manifest any                       `json:"manifest,omitempty"`
	Image    map[string]*ocispec.Image `json:"image,omitempty"`
	ctx      context.Context
	d        *oci.Details
}

func (in formatInput) SBOM() (sbomStub, error) {
	if len(in.d.Platforms) == 0 {
		return sbomStub{}, nil
	}
	return sbomOf(in.ctx, in.d, in.d.Platforms[0])
}

func (in formatInput) Provenance() (provenanceStub, error) {
	if len(in.d.Platforms) == 0 {
		return provenanceStub{}, nil
	}
	return provenanceOf(in.ctx, in.d, in.d.Platforms[0])
}

func (in formatInputs) SBOM() (map[string]sbomStub, error) {
	out := map[string]sbomStub{}
	for _, p := range in.d.Platforms {
		s, err := sbomOf(in.ctx, in.d, p)
		if err != nil {
			return nil, err
		}
		if s.SPDX != nil {
			out[p] = s
		}
	}
	return out, nil
}

func (in formatInputs) Provenance() (map[string]provenanceStub, error) {
	out := map[string]provenanceStub{}
	for _, p := range in.d.Platforms {
		s, err := provenanceOf(in.ctx, in.d, p)
		if err != nil {
			return nil, err
		}
		if s.SLSA != nil {
			out[p] = s
		}
	}
	return out, nil
}

const predicateSPDX = "https://spdx.dev/Document"

func sbomOf(ctx context.Context, d *oci.Details, platform string) (sbomStub, error) {
	preds, err := predicates(ctx, d, platform, func(t string) bool { return t == predicateSPDX })
	if err != nil || len(preds) == 0 {
		return sbomStub{}, err
	}
	return sbomStub{SPDX: preds[0], AdditionalSPDXs: preds[1:]}, nil
}

func provenanceOf(ctx context.Context, d *oci.Details, platform string) (provenanceStub, error) {
	preds, err := predicates(ctx, d, platform, func(t string) bool { return strings.HasPrefix(t, "https://slsa.dev/provenance/") })
	if err != nil || len(preds) == 0 {
		return provenanceStub{}, err
	}
	return provenanceStub{SLSA: preds[0]}, nil
}

// predicates decodes the predicates as buildx does, into plain maps and
// lists, so that templates can walk them (.SLSA.buildType).
func predicates(ctx context.Context, d *oci.Details, platform string, match func(string) bool) ([]any, error) {
	raws, err := d.Predicates(ctx, platform, match)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(raws))
	for i, r := range raws {
		if err := json.Unmarshal(r, &out[i]); err != nil {
			return nil, fmt.Errorf("decoding an attestation of %s: %w", platform, err)
		}
	}
	return out, nil
}

// executeInspectTemplate runs tpl over d as buildx does.
func executeInspectTemplate(ctx context.Context, w io.Writer, tpl *template.Template, name string, d *oci.Details) error {
	var manifest any = d.Descriptor
	if d.Index != nil {
		manifest = indexManifest{
			SchemaVersion: d.Index.SchemaVersion,
			MediaType:     d.Index.MediaType,
			Digest:        d.Descriptor.Digest,
			Size:          d.Descriptor.Size,
			Manifests:     d.Index.Manifests,
			Annotations:   d.Index.Annotations,
		}
	}
	if len(d.Platforms) > 1 {
		images := map[string]*ocispec.Image{}
		for _, p := range d.Platforms {
			if cfg := d.Config(p); cfg != nil {
				images[p] = cfg
			}
		}
		return tpl.Execute(w, formatInputs{Name: name, Manifest: manifest, Image: images, ctx: ctx, d: d})
	}
	in := formatInput{Name: name, Manifest: manifest, ctx: ctx, d: d}
	if len(d.Platforms) == 1 {
		in.Image = d.Config(d.Platforms[0])
	}
	return tpl.Execute(w, in)
}
