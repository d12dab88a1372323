package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/distribution/reference"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// IndexPusher pushes an image index over per-platform manifests already
// pushed by digest; *oci.Client is the real one.
type IndexPusher interface {
	PushIndex(ctx context.Context, tags []string, manifests []oci.Manifest, annotations map[string]string) (ocispec.Descriptor, error)
}

// Merger is the Publisher of merge nodes: it assembles a target's
// per-platform results into its multi-platform outputs. It runs only
// after every platform succeeded, so a tag never points at a partial
// image.
type Merger struct {
	Registry IndexPusher
	// WorkDir resolves relative output paths.
	WorkDir string
	// Stdout receives a merged tarball whose dest is "-"; nil refuses it.
	Stdout io.Writer
	// Records are what the index pushes record of their inputs (nil:
	// nothing).
	Records *Records
}

var _ Publisher = (*Merger)(nil)

// Merge implements Publisher.
func (m *Merger) Merge(ctx context.Context, n *plan.Node, parts []*Result) (*Result, error) {
	if reused(n) {
		return m.reuse(ctx, n)
	}
	t := n.Merge.Target
	res := &Result{ExporterResponse: map[string]map[string]string{t.Name: {}}}
	if err := m.mergeCaches(ctx, n); err != nil {
		return nil, err
	}
	// The merged files of the target appear together, once all are
	// written, or not at all.
	files := &fileOutputs{stdout: m.Stdout}
	defer files.cleanup()
	for i, o := range t.Outputs {
		per := make([]*export, len(parts))
		found := false
		for k, p := range parts {
			a, _ := p.Artifact.(*solveArtifact)
			if a == nil {
				continue
			}
			for _, e := range a.exports {
				if e.target == t.Name && e.out == i && (e.byDigest || e.part != "") {
					per[k], found = e, true
				}
			}
		}
		if !found {
			continue // a per-platform output (docker, local): the solves wrote it
		}
		for k, e := range per {
			if e == nil {
				return nil, partial(res, fmt.Errorf("output type=%s: %s did not produce its part", o.Type, n.Merge.Solves[k]))
			}
		}
		var err error
		switch {
		case per[0].byDigest:
			err = explainInsecure(m.pushIndex(ctx, n, parts, per, res))
		case per[0].loadInto != nil:
			err = m.loadIndex(ctx, n, parts, per, res)
		case per[0].part == partOCI:
			err = m.mergeOCI(n, o.Dest, o.Attrs, parts, per, res, files)
		case per[0].part == partTar:
			err = m.mergeTar(n, o.Dest, parts, per, files)
		}
		if err != nil {
			return nil, partial(res, fmt.Errorf("output type=%s: %w", o.Type, err))
		}
	}
	if err := files.commitAll(); err != nil {
		return nil, partial(res, err)
	}
	res.Published = append(res.Published, files.written...)
	return res, nil
}

// partial is err, with res when res records what was published already:
// tags that moved, an OCI layout directory (merged files are not written
// when the merge fails).
func partial(res *Result, err error) error {
	if len(res.Published) == 0 {
		return err
	}
	return &PartialError{Result: res, Err: err}
}

func (m *Merger) pushIndex(ctx context.Context, n *plan.Node, parts []*Result, per []*export, res *Result) error {
	if m.Registry == nil {
		return fmt.Errorf("no registry client")
	}
	t := n.Merge.Target
	names := per[0].entry.Attrs["name"]
	tags := plan.ImageNames(t, t.Outputs[per[0].out])
	if len(tags) == 0 {
		return fmt.Errorf("tag is needed when pushing to registry")
	}
	// The manifests are addressed in the first tag's repository, which
	// the per-platform pushes (one per repository) filled.
	repo := strings.Split(names, ",")[0]
	if r, err := reference.ParseNormalizedNamed(tags[0]); err == nil {
		repo = r.Name()
	}
	manifests := make([]oci.Manifest, len(parts))
	for k, p := range parts {
		if p.Descriptor.Digest == "" {
			return fmt.Errorf("%s pushed no image", n.Merge.Solves[k])
		}
		manifests[k] = oci.Manifest{Ref: repo + "@" + p.Descriptor.Digest.String(), Descriptor: p.Descriptor}
	}
	var desc ocispec.Descriptor
	var err error
	pushTags := m.Records.withTags(t.Name, tags)
	if tg, ok := m.Registry.(tagger); ok && len(parts) == 1 {
		// One platform (an --atomic single-platform target): its image is
		// tagged as pushed, not wrapped in an index.
		desc, err = tg.Tag(ctx, pushTags, manifests[0].Ref)
	} else if c, ok := m.Registry.(indexComposer); ok && anyIndex(parts) {
		// With attestations each platform pushed an index (image plus
		// attestation manifest); compose flattens them into one index
		// instead of nesting indexes.
		refs := make([]string, len(manifests))
		for k, mf := range manifests {
			refs[k] = mf.Ref
		}
		desc, err = c.Create(ctx, pushTags, refs, indexAnnotations(t))
	} else {
		desc, err = m.Registry.PushIndex(ctx, pushTags, manifests, indexAnnotations(t))
	}
	var pe *oci.PartialPushError
	if errors.As(err, &pe) {
		// The first tags moved before the registry refused one: record them.
		published(res, t.Name, pe.Index, m.Records.withoutRecords(pe.Tags))
	}
	if err != nil {
		return err
	}
	published(res, t.Name, desc, tags)
	return nil
}

// published records an index pushed to tags.
func published(res *Result, target string, desc ocispec.Descriptor, tags []string) {
	res.Descriptor = desc
	res.Published = append(res.Published, tags...)
	er := res.ExporterResponse[target]
	er["containerimage.digest"] = desc.Digest.String()
	er["containerimage.descriptor"] = encodeDescriptor(desc)
	er["image.name"] = strings.Join(tags, ",")
}

func (m *Merger) mergeOCI(n *plan.Node, dest string, attrs map[string]string, parts []*Result, per []*export, res *Result, files *fileOutputs) error {
	dest = m.abs(dest)
	asTar := true
	if v, ok := attrs["tar"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("tar=%q: %w", v, err)
		}
		asTar = b
	}
	lp := make([]oci.LayoutPart, len(parts))
	for k, e := range per {
		lp[k] = oci.LayoutPart{Platform: platformOf(n, k), Path: e.file}
	}
	var desc ocispec.Descriptor
	var err error
	if asTar {
		err = files.write(n.ID, n.Merge.Target.Name, dest, func(w io.Writer) error {
			d, werr := oci.WriteMergedLayout(w, lp)
			desc = d
			return werr
		})
	} else {
		desc, err = oci.MergeOCILayouts(dest, false, lp)
	}
	if err != nil {
		return err
	}
	res.Descriptor = desc
	if !asTar {
		res.Published = append(res.Published, dest) // written in place
	}
	er := res.ExporterResponse[n.Merge.Target.Name]
	er["containerimage.digest"] = desc.Digest.String()
	er["containerimage.descriptor"] = encodeDescriptor(desc)
	return nil
}

func (m *Merger) mergeTar(n *plan.Node, dest string, parts []*Result, per []*export, files *fileOutputs) error {
	dest = m.abs(dest)
	tp := make([]oci.TarPart, len(parts))
	for k, e := range per {
		tp[k] = oci.TarPart{Platform: platformOf(n, k), Path: e.file}
	}
	return files.write(n.ID, n.Merge.Target.Name, dest, func(w io.Writer) error { return oci.WriteMergedTar(w, tp) })
}

func (m *Merger) abs(p string) string {
	if p == stdoutDest {
		return p
	}
	return absPath(m.WorkDir, p)
}

// indexComposer is implemented by *oci.Client: it merges images and
// indexes into one flat index.
type indexComposer interface {
	Create(ctx context.Context, tags []string, sources []string, annotations map[string]string) (ocispec.Descriptor, error)
}

// tagger is implemented by *oci.Client: it tags a pushed manifest as is.
type tagger interface {
	Tag(ctx context.Context, tags []string, src string) (ocispec.Descriptor, error)
}

func anyIndex(parts []*Result) bool {
	for _, p := range parts {
		if mt := p.Descriptor.MediaType; mt == ocispec.MediaTypeImageIndex || mt == "application/vnd.docker.distribution.manifest.list.v2+json" {
			return true
		}
	}
	return false
}

func platformOf(n *plan.Node, k int) ocispec.Platform {
	p, _ := parsePlatform(n.Merge.Platforms[k])
	return p
}
