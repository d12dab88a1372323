package oci

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// statement is one in-toto statement of an attestation manifest.
type statement struct {
	predicateType string
	predicate     string // JSON
	dsse          bool   // wrapped in a DSSE envelope, as signed ones are
}

// attestationImage is an attestation manifest as BuildKit pushes it: an
// unknown/unknown config and one in-toto layer per statement.
func attestationImage(t *testing.T, sts ...statement) v1.Image {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "unknown", "unknown"
	if img, err = mutate.ConfigFile(img, cf); err != nil {
		t.Fatal(err)
	}
	for _, st := range sts {
		body := []byte(`{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"` + st.predicateType + `","subject":[],"predicate":` + st.predicate + `}`)
		mt := types.MediaType(mediaTypeInToto)
		if st.dsse {
			mt = "application/vnd.in-toto.provenance+dsse"
			body = []byte(`{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString(body) + `","signatures":[]}`)
		}
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:       static.NewLayer(body, mt),
			MediaType:   mt,
			Annotations: map[string]string{annotationPredicateType: st.predicateType},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return img
}

// attestationOf is the index entry of an attestation manifest about img.
func attestationOf(t *testing.T, att, img v1.Image) mutate.IndexAddendum {
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
		Annotations: map[string]string{annotationReferenceType: attestationManifestType, annotationReferenceDigest: d.String()},
	}}
}

const (
	slsaV02 = "https://slsa.dev/provenance/v0.2"
	spdx    = "https://spdx.dev/Document"
)

func TestDetailsIndex(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARMv7)
		amdAtt := attestationImage(t,
			statement{predicateType: slsaV02, predicate: `{"buildType":"amd64-build"}`},
			statement{predicateType: spdx, predicate: `{"name":"sbom-1"}`, dsse: true},
			statement{predicateType: spdx, predicate: `{"name":"sbom-2"}`},
		)
		armAtt := attestationImage(t, statement{predicateType: slsaV02, predicate: `{"buildType":"arm-build"}`, dsse: true})
		idx := pushIndexDirect(t, reg, repo+":v1",
			mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
			mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
			attestationOf(t, amdAtt, amd),
			attestationOf(t, armAtt, arm),
		)
		ctx := context.Background()
		d, err := testClient(reg).Details(ctx, repo+":v1")
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := idx.RawManifest()
		if want := descriptorOf(t, idx); d.Descriptor.Digest != want.Digest || d.Descriptor.Size != want.Size || string(d.Raw) != string(raw) {
			t.Errorf("descriptor %+v, want %+v, and the raw bytes", d.Descriptor, want)
		}
		if d.Index == nil || len(d.Index.Manifests) != 4 {
			t.Fatalf("index = %+v", d.Index)
		}
		if diff := cmp.Diff([]string{"linux/amd64", "linux/arm/v7"}, d.Platforms); diff != "" {
			t.Errorf("platforms (-want +got):\n%s", diff)
		}
		amdCfg, _ := amd.ConfigFile()
		if c := d.Config("linux/amd64"); c == nil || c.Architecture != "amd64" || c.RootFS.DiffIDs[0].String() != amdCfg.RootFS.DiffIDs[0].String() {
			t.Errorf("linux/amd64 config = %+v", c)
		}
		for _, tc := range []struct {
			platform, typ string
			want          []string
		}{
			{"linux/amd64", slsaV02, []string{`{"buildType":"amd64-build"}`}},
			{"linux/amd64", spdx, []string{`{"name":"sbom-1"}`, `{"name":"sbom-2"}`}},
			{"linux/arm/v7", slsaV02, []string{`{"buildType":"arm-build"}`}},
			{"linux/arm/v7", spdx, nil},
			{"linux/s390x", slsaV02, nil},
		} {
			got, err := d.Predicates(ctx, tc.platform, func(pt string) bool { return pt == tc.typ })
			if err != nil {
				t.Fatal(err)
			}
			var gotS []string
			for _, g := range got {
				gotS = append(gotS, string(g))
			}
			if diff := cmp.Diff(tc.want, gotS); diff != "" {
				t.Errorf("%s %s predicates (-want +got):\n%s", tc.platform, tc.typ, diff)
			}
		}
	})
}

func TestDetailsImage(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		m, desc := pushByDigest(t, reg, repo, platformImage(t, linuxARM64), linuxARM64)
		d, err := testClient(reg).Details(context.Background(), m.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if d.Index != nil || d.Descriptor.Digest != desc.Digest || d.Descriptor.MediaType != ocispec.MediaTypeImageManifest {
			t.Errorf("details %+v", d.Descriptor)
		}
		if diff := cmp.Diff([]string{"linux/arm64"}, d.Platforms); diff != "" {
			t.Errorf("platforms (-want +got):\n%s", diff)
		}
		raw, err := testClient(reg).Raw(context.Background(), m.Ref)
		if err != nil || string(raw) != string(d.Raw) {
			t.Errorf("Raw = %q, %v; want the manifest", raw, err)
		}
		var mf ocispec.Manifest
		if err := json.Unmarshal(raw, &mf); err != nil || !strings.Contains(mf.Config.MediaType, "config") {
			t.Errorf("raw is not the image manifest: %s", raw)
		}
	})
}
