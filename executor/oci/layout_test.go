package oci

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// BuildKit's names for "-t app": the full name and the tag alone.
var appNames = map[string]string{annotationImageName: "docker.io/library/app:latest", ocispec.AnnotationRefName: "latest"}

// buildkitLayout writes what BuildKit's oci exporter writes for one
// platform (tar=false): a layout whose index.json names one image.
func buildkitLayout(t *testing.T, root any, names map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		t.Fatal(err)
	}
	opt := layout.WithAnnotations(names)
	switch r := root.(type) {
	case v1.Image:
		err = p.AppendImage(r, opt)
	case v1.ImageIndex:
		err = p.AppendIndex(r, opt)
	}
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// tarOf packs dir as BuildKit's dest=x.tar does: plain relative names.
func tarOf(t *testing.T, dir string) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "part.tar")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: rel + "/", Mode: 0o755})
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: rel, Mode: 0o644, Size: int64(len(b))}); err != nil {
			return err
		}
		_, err = tw.Write(b)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err == nil {
		err = os.WriteFile(out, buf.Bytes(), 0o644)
	}
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// readMerged checks a merged layout directory: index.json points at the
// returned index under each name, the layout is complete and valid, and
// the index lists want.
func readMerged(t *testing.T, dir string, got ocispec.Descriptor, names []map[string]string, want []ocispec.Descriptor) {
	t.Helper()
	var top ocispec.Index
	readJSON(t, filepath.Join(dir, "index.json"), &top)
	var wantTop []ocispec.Descriptor
	for _, n := range names {
		d := got
		d.Annotations = n
		wantTop = append(wantTop, d)
	}
	if diff := cmp.Diff(wantTop, top.Manifests); diff != "" {
		t.Errorf("index.json (-want +got):\n%s", diff)
	}
	if got.MediaType != ocispec.MediaTypeImageIndex {
		t.Errorf("media type %s, want %s", got.MediaType, ocispec.MediaTypeImageIndex)
	}
	var idx ocispec.Index
	readJSON(t, filepath.Join(dir, "blobs", "sha256", got.Digest.Encoded()), &idx)
	if diff := cmp.Diff(want, idx.Manifests); diff != "" {
		t.Errorf("merged index (-want +got):\n%s", diff)
	}
	p, err := layout.FromPath(dir)
	if err != nil {
		t.Fatal(err)
	}
	ii, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Index(ii); err != nil {
		t.Errorf("merged layout is not valid: %v", err)
	}
	var layoutFile ocispec.ImageLayout
	readJSON(t, filepath.Join(dir, "oci-layout"), &layoutFile)
	if layoutFile.Version != ocispec.ImageLayoutVersion {
		t.Errorf("oci-layout version %q", layoutFile.Version)
	}
}

func TestMergeOCILayouts(t *testing.T) {
	amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
	amdDir := buildkitLayout(t, amd, appNames)
	armDir := buildkitLayout(t, arm, appNames)
	// A reused tar=false directory keeps blobs of earlier builds; they do
	// not belong in the merged layout.
	stale := []byte("an earlier build's blob")
	if err := os.WriteFile(filepath.Join(amdDir, "blobs", "sha256", digest.FromBytes(stale).Encoded()), stale, 0o644); err != nil {
		t.Fatal(err)
	}
	parts := []LayoutPart{{Platform: linuxAMD64, Path: amdDir}, {Platform: linuxARM64, Path: tarOf(t, armDir)}}
	want := []ocispec.Descriptor{entryOf(t, amdDir, linuxAMD64), entryOf(t, armDir, linuxARM64)}

	t.Run("directory", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "out")
		got, err := MergeOCILayouts(dst, false, parts)
		if err != nil {
			t.Fatal(err)
		}
		readMerged(t, dst, got, []map[string]string{appNames}, want)
		if _, err := os.Stat(filepath.Join(dst, "blobs", "sha256", digest.FromBytes(stale).Encoded())); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("a stale blob of a part was copied (stat: %v)", err)
		}
	})
	t.Run("tarball", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "out.tar")
		got, err := MergeOCILayouts(dst, true, parts)
		if err != nil {
			t.Fatal(err)
		}
		dir, names := untar(t, dst)
		readMerged(t, dir, got, []map[string]string{appNames}, want)
		wantNames := []string{"blobs/", "blobs/sha256/"}
		for _, img := range []v1.Image{amd, arm} {
			wantNames = append(wantNames, blobNames(t, img)...)
		}
		wantNames = append(wantNames, "blobs/sha256/"+got.Digest.Encoded(), "index.json", "oci-layout")
		slices.Sort(wantNames)
		if diff := cmp.Diff(slices.Compact(wantNames), names); diff != "" {
			t.Errorf("tar entries (-want +got):\n%s", diff)
		}
		// Equal inputs give an equal tarball.
		again := filepath.Join(t.TempDir(), "again.tar")
		if _, err := MergeOCILayouts(again, true, parts); err != nil {
			t.Fatal(err)
		}
		if a, b := readFile(t, dst), readFile(t, again); !bytes.Equal(a, b) {
			t.Error("merging the same parts twice gave different tarballs")
		}
		// To a writer (stdout), the same bytes and descriptor.
		var buf bytes.Buffer
		d, err := WriteMergedLayout(&buf, parts)
		if err != nil {
			t.Fatal(err)
		}
		if d.Digest != got.Digest || !bytes.Equal(buf.Bytes(), readFile(t, dst)) {
			t.Errorf("WriteMergedLayout gave %s and %d bytes; MergeOCILayouts %s and %d", d.Digest, buf.Len(), got.Digest, len(readFile(t, dst)))
		}
	})
}

// With attestations BuildKit's per-platform root is an index of the image
// and its attestation manifest; both enter the merged index.
func TestMergeOCILayoutsWithAttestations(t *testing.T) {
	amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
	att := platformImage(t, unknownPlatform)
	armDigest, _ := arm.Digest()
	attAnn := map[string]string{annotationReferenceType: attestationManifestType, "vnd.docker.reference.digest": armDigest.String()}
	armRoot := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}, Annotations: attAnn}},
	)
	amdDir := buildkitLayout(t, amd, appNames)
	parts := []LayoutPart{
		{Platform: linuxAMD64, Path: tarOf(t, amdDir)},
		{Platform: linuxARM64, Path: tarOf(t, buildkitLayout(t, armRoot, appNames))},
	}
	dst := filepath.Join(t.TempDir(), "out")
	got, err := MergeOCILayouts(dst, false, parts)
	if err != nil {
		t.Fatal(err)
	}
	var armIdx ocispec.Index
	readJSON(t, filepath.Join(dst, "blobs", "sha256", descriptorOf(t, armRoot).Digest.Encoded()), &armIdx)
	want := append([]ocispec.Descriptor{entryOf(t, amdDir, linuxAMD64)}, armIdx.Manifests...)
	if want[2].Platform == nil || platformID(*want[2].Platform) != "unknown/unknown" || want[2].Annotations[annotationReferenceType] != attestationManifestType {
		t.Fatalf("test setup: attestation entry is %+v", want[2])
	}
	readMerged(t, dst, got, []map[string]string{appNames}, want)
}

// Without -t BuildKit names nothing; with several tags it lists the image
// once per name. The merged index.json does the same.
func TestMergeOCILayoutsNames(t *testing.T) {
	amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
	amdDir, armDir := buildkitLayout(t, amd, nil), buildkitLayout(t, arm, nil)
	want := []ocispec.Descriptor{entryOf(t, amdDir, linuxAMD64), entryOf(t, armDir, linuxARM64)}
	t.Run("unnamed", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "out")
		got, err := MergeOCILayouts(dst, false, []LayoutPart{{linuxAMD64, amdDir}, {linuxARM64, armDir}})
		if err != nil {
			t.Fatal(err)
		}
		readMerged(t, dst, got, []map[string]string{nil}, want)
	})
	t.Run("two tags", func(t *testing.T) {
		v1Names := map[string]string{annotationImageName: "docker.io/library/app:v1", ocispec.AnnotationRefName: "v1"}
		twoNames := func(img v1.Image) string {
			dir := buildkitLayout(t, img, appNames)
			p, _ := layout.FromPath(dir)
			if err := p.AppendImage(img, layout.WithAnnotations(v1Names)); err != nil {
				t.Fatal(err)
			}
			return dir
		}
		dst := filepath.Join(t.TempDir(), "out")
		got, err := MergeOCILayouts(dst, false, []LayoutPart{{linuxAMD64, twoNames(amd)}, {linuxARM64, twoNames(arm)}})
		if err != nil {
			t.Fatal(err)
		}
		readMerged(t, dst, got, []map[string]string{appNames, v1Names}, want)
	})
}

func TestMergeOCILayoutsErrors(t *testing.T) {
	amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
	good := buildkitLayout(t, amd, appNames)

	twoImages := buildkitLayout(t, amd, appNames)
	if p, _ := layout.FromPath(twoImages); p.AppendImage(arm) != nil {
		t.Fatal("test setup")
	}
	missingLayer := buildkitLayout(t, arm, appNames)
	corrupt := buildkitLayout(t, arm, appNames)
	layers, _ := arm.Layers()
	ld, _ := layers[0].Digest()
	if err := os.Remove(filepath.Join(missingLayer, "blobs", "sha256", ld.Hex)); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, "blobs", "sha256", ld.Hex), []byte("not the layer"), 0o644); err != nil {
		t.Fatal(err)
	}
	evil := evilTar(t)

	for _, tc := range []struct {
		name string
		dst  string
		part LayoutPart
		want string
	}{
		{"stdout", "-", LayoutPart{linuxARM64, good}, "cannot be written to stdout"},
		{"two images", "", LayoutPart{linuxARM64, twoImages}, "lists several images"},
		{"missing layer", "", LayoutPart{linuxARM64, missingLayer}, "blob sha256:" + ld.Hex + " missing from layout"},
		{"corrupt layer", "", LayoutPart{linuxARM64, corrupt}, "does not match its digest"},
		{"not a layout", "", LayoutPart{linuxARM64, t.TempDir()}, "platform linux/arm64: not an OCI layout"},
		{"escaping tar", "", LayoutPart{linuxARM64, evil}, `entry "../evil" is outside the layout`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := tc.dst
			if dst == "" {
				dst = filepath.Join(t.TempDir(), "out.tar")
			}
			_, err := MergeOCILayouts(dst, true, []LayoutPart{{linuxAMD64, good}, tc.part})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tc.want)
			}
			if tc.dst == "" {
				if _, err := os.Stat(dst); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("a failed merge left %s (stat: %v)", dst, err)
				}
			}
		})
	}
}

// entryOf is what a part contributes to the merged index: the image
// index.json names, with the part's platform and without the names.
func entryOf(t *testing.T, dir string, p ocispec.Platform) ocispec.Descriptor {
	t.Helper()
	var idx ocispec.Index
	readJSON(t, filepath.Join(dir, "index.json"), &idx)
	d := idx.Manifests[0]
	d.Annotations, d.Platform = nil, &p
	return d
}

func evilTar(t *testing.T) string {
	p := filepath.Join(t.TempDir(), "evil.tar")
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "../evil", Mode: 0o644, Size: 1})
	_, _ = tw.Write([]byte("x"))
	_ = tw.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// untar extracts a tarball written by the code under test and returns
// the directory and the entry names in order.
func untar(t *testing.T, path string) (string, []string) {
	t.Helper()
	dir := t.TempDir()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var names []string
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return dir, names
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// blobNames lists an image's blobs as tar entry names.
func blobNames(t *testing.T, img v1.Image) []string {
	t.Helper()
	d, _ := img.Digest()
	c, _ := img.ConfigName()
	out := []string{"blobs/sha256/" + d.Hex, "blobs/sha256/" + c.Hex}
	layers, _ := img.Layers()
	for _, l := range layers {
		ld, _ := l.Digest()
		out = append(out, "blobs/sha256/"+ld.Hex)
	}
	return out
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	if err := json.Unmarshal(readFile(t, path), v); err != nil {
		t.Fatalf("decoding %s: %v", path, err)
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
