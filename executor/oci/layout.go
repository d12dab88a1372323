package oci

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"

	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// LayoutPart is one platform's OCI layout as BuildKit's oci exporter
// writes it: a tarball (type=oci,dest=x.tar) or a directory (tar=false).
type LayoutPart struct {
	Platform ocispec.Platform
	Path     string
}

// annotationImageName is containerd's full-name annotation, which BuildKit
// sets next to org.opencontainers.image.ref.name (the tag alone).
const annotationImageName = "io.containerd.image.name"

// MergeOCILayouts writes one OCI layout (a directory, or a tarball when
// asTar) holding every part's blobs and one index over all platforms, in
// part order, with the platform set on each entry. index.json points at
// that index once per image name found in the parts, with the name
// annotations BuildKit sets. It returns the index descriptor. A tarball
// appears whole or not at all.
func MergeOCILayouts(dst string, asTar bool, parts []LayoutPart) (ocispec.Descriptor, error) {
	if err := checkDest(dst); err != nil {
		return ocispec.Descriptor{}, err
	}
	if !asTar {
		return mergeLayouts(dst, parts)
	}
	var desc ocispec.Descriptor
	err := writeAtomic(dst, func(w io.Writer) error {
		var err error
		desc, err = WriteMergedLayout(w, parts)
		return err
	})
	return desc, err
}

// WriteMergedLayout writes the tarball MergeOCILayouts writes to w.
func WriteMergedLayout(w io.Writer, parts []LayoutPart) (ocispec.Descriptor, error) {
	work, err := os.MkdirTemp("", "xbake-oci-out-")
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer os.RemoveAll(work)
	desc, err := mergeLayouts(work, parts)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	return desc, writeTarDir(w, work)
}

// mergeLayouts writes the merged layout into the directory out.
func mergeLayouts(out string, parts []LayoutPart) (ocispec.Descriptor, error) {
	if len(parts) == 0 {
		return ocispec.Descriptor{}, errors.New("merging OCI layouts: no parts")
	}
	work, err := os.MkdirTemp("", "xbake-oci-")
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	defer os.RemoveAll(work)
	if err := os.MkdirAll(filepath.Join(out, ocispec.ImageBlobsDir), 0o755); err != nil {
		return ocispec.Descriptor{}, err
	}
	var (
		descs []ocispec.Descriptor
		names []map[string]string // name annotations, first seen first
		seen  = map[string]bool{}
	)
	for i, p := range parts {
		dir, err := partDir(p.Path, filepath.Join(work, fmt.Sprint(i)))
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		root, ns, err := readLayoutRoot(dir)
		if err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("platform %s: %w", platformID(p.Platform), err)
		}
		for _, n := range ns {
			if !seen[n[annotationImageName]+"\x00"+n[ocispec.AnnotationRefName]] {
				seen[n[annotationImageName]+"\x00"+n[ocispec.AnnotationRefName]] = true
				names = append(names, n)
			}
		}
		if err := copyTree(dir, out, root); err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("platform %s: %w", platformID(p.Platform), err)
		}
		entries, err := platformEntries(out, root, p.Platform)
		if err != nil {
			return ocispec.Descriptor{}, fmt.Errorf("platform %s: %w", platformID(p.Platform), err)
		}
		descs = append(descs, entries...)
	}
	idx, err := newIndex(ocispec.MediaTypeImageIndex, descs, nil, nil)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := writeBlob(out, idx.Descriptor.Digest, idx.Raw); err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := writeLayoutFiles(out, idx.Descriptor, names); err != nil {
		return ocispec.Descriptor{}, err
	}
	return idx.Descriptor, nil
}

// checkDest rejects what a merge cannot write to.
func checkDest(dst string) error {
	switch dst {
	case "":
		return errors.New("no destination for the merged output")
	case "-":
		return errors.New("a multi-platform output cannot be written to stdout (dest=-): set dest to a file")
	}
	return nil
}

// readLayoutRoot returns the one image (manifest or index) index.json
// names, and the name annotations of its entries. BuildKit lists the same
// image once per name; more than one image means this is not one
// platform's output.
func readLayoutRoot(dir string) (ocispec.Descriptor, []map[string]string, error) {
	raw, err := os.ReadFile(filepath.Join(dir, ocispec.ImageIndexFile))
	if err != nil {
		return ocispec.Descriptor{}, nil, fmt.Errorf("not an OCI layout: %w", err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(raw, &idx); err != nil {
		return ocispec.Descriptor{}, nil, fmt.Errorf("decoding %s: %w", filepath.Join(dir, ocispec.ImageIndexFile), err)
	}
	if len(idx.Manifests) == 0 {
		return ocispec.Descriptor{}, nil, fmt.Errorf("%s lists no image", filepath.Join(dir, ocispec.ImageIndexFile))
	}
	root := idx.Manifests[0]
	var names []map[string]string
	for _, d := range idx.Manifests {
		if d.Digest != root.Digest {
			return ocispec.Descriptor{}, nil, fmt.Errorf("%s lists several images (%s, %s); want one platform's image", filepath.Join(dir, ocispec.ImageIndexFile), root.Digest, d.Digest)
		}
		if n := nameAnnotations(d.Annotations); n != nil {
			names = append(names, n)
		}
	}
	// The names belong to index.json; other descriptor annotations (buildx
	// "manifest-descriptor:" ones) stay with the image.
	root.Annotations = maps.Clone(root.Annotations)
	delete(root.Annotations, annotationImageName)
	delete(root.Annotations, ocispec.AnnotationRefName)
	if len(root.Annotations) == 0 {
		root.Annotations = nil
	}
	root.Platform = nil // the part's platform is set on it instead
	return root, names, nil
}

func nameAnnotations(a map[string]string) map[string]string {
	n := map[string]string{}
	for _, k := range []string{annotationImageName, ocispec.AnnotationRefName} {
		if v, ok := a[k]; ok {
			n[k] = v
		}
	}
	if len(n) == 0 {
		return nil
	}
	return n
}

// platformEntries is what one part contributes to the merged index: its
// image with the part's platform, or, when BuildKit wrapped the image and
// its attestations in an index, that index's manifests.
func platformEntries(layout string, root ocispec.Descriptor, p ocispec.Platform) ([]ocispec.Descriptor, error) {
	if !isIndexType(root.MediaType) {
		root.Platform = &p
		return []ocispec.Descriptor{root}, nil
	}
	var idx ocispec.Index
	if err := readJSONBlob(layout, root.Digest, &idx); err != nil {
		return nil, err
	}
	for i := range idx.Manifests {
		if idx.Manifests[i].Platform == nil && idx.Manifests[i].Annotations[annotationReferenceType] != attestationManifestType {
			idx.Manifests[i].Platform = &p
		}
	}
	return idx.Manifests, nil
}

// writeLayoutFiles writes oci-layout and an index.json that points at
// the merged index once per name (or once, unnamed).
func writeLayoutFiles(dir string, index ocispec.Descriptor, names []map[string]string) error {
	layout, err := json.Marshal(ocispec.ImageLayout{Version: ocispec.ImageLayoutVersion})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, ocispec.ImageLayoutFile), layout, 0o644); err != nil {
		return err
	}
	top := ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: ocispec.MediaTypeImageIndex}
	if len(names) == 0 {
		names = []map[string]string{nil}
	}
	for _, n := range names {
		d := index
		d.Annotations = n
		top.Manifests = append(top.Manifests, d)
	}
	raw, err := json.Marshal(top)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, ocispec.ImageIndexFile), raw, 0o644)
}

func isIndexType(mt string) bool {
	return mt == ocispec.MediaTypeImageIndex || mt == "application/vnd.docker.distribution.manifest.list.v2+json"
}
