package oci

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// An index as BuildKit pushes it with provenance: two platforms and an
// attestation manifest per platform, listed as unknown/unknown.
func TestInspectIndex(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
		att := platformImage(t, ocispec.Platform{OS: "unknown", Architecture: "unknown"})
		amdDigest, _ := amd.Digest()
		attAnn := map[string]string{annotationReferenceType: attestationManifestType, "vnd.docker.reference.digest": amdDigest.String()}
		idx := pushIndexDirect(t, reg, repo+":v1",
			mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
			mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
			mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}, Annotations: attAnn}},
		)
		want := &Inspection{Name: repo + ":v1", MediaType: ocispec.MediaTypeImageIndex}
		want.Digest, want.Size = descOf(t, idx)
		for _, e := range []struct {
			img v1.Image
			p   ocispec.Platform
			a   map[string]string
		}{{amd, linuxAMD64, nil}, {arm, linuxARM64, nil}, {att, unknownPlatform, attAnn}} {
			d := descriptorOf(t, e.img)
			want.Manifests = append(want.Manifests, InspectedManifest{
				Name: repo + "@" + d.Digest.String(), MediaType: ocispec.MediaTypeImageManifest,
				Digest: d.Digest, Size: d.Size, Platform: &e.p, Attestation: e.a != nil, Annotations: e.a,
			})
		}

		got, err := testClient(reg).Inspect(context.Background(), repo+":v1")
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Inspect (-want +got):\n%s", diff)
		}
	})
}

func TestInspectImage(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		m, d := pushByDigest(t, reg, repo, platformImage(t, linuxARMv7), linuxARMv7)
		got, err := testClient(reg).Inspect(context.Background(), m.Ref)
		if err != nil {
			t.Fatal(err)
		}
		want := &Inspection{Name: m.Ref, MediaType: ocispec.MediaTypeImageManifest, Digest: d.Digest, Size: d.Size, Platform: &linuxARMv7}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Inspect (-want +got):\n%s", diff)
		}
	})
}

func TestInspectMissing(t *testing.T) {
	reg := memRegistry(t)
	pushTag(t, reg, reg.host+"/app:v1", platformImage(t, linuxAMD64))
	_, err := testClient(reg).Inspect(context.Background(), reg.host+"/app:v2")
	if err == nil || !strings.Contains(err.Error(), "fetching "+reg.host+"/app:v2") || !strings.Contains(err.Error(), "MANIFEST_UNKNOWN") {
		t.Fatalf("error = %v; want it to name the reference and say MANIFEST_UNKNOWN", err)
	}
}

func descOf(t *testing.T, idx v1.ImageIndex) (digest.Digest, int64) {
	t.Helper()
	d := descriptorOf(t, idx)
	return d.Digest, d.Size
}
