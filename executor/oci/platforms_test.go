package oci

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPlatforms: what the base-image check sees of an index (its image
// platforms, not its attestations) and of a single image (its config's).
func TestPlatforms(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "base")
		amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
		att := platformImage(t, unknownPlatform)
		attAnn := map[string]string{annotationReferenceType: attestationManifestType}
		pushIndexDirect(t, reg, repo+":multi",
			mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
			mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
			mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "unknown", Architecture: "unknown"}, Annotations: attAnn}},
		)
		m, _ := pushByDigest(t, reg, repo, platformImage(t, linuxARMv7), linuxARMv7)
		c := testClient(reg)
		for ref, want := range map[string][]ocispec.Platform{
			repo + ":multi": {linuxAMD64, linuxARM64},
			m.Ref:           {linuxARMv7},
		} {
			in, err := c.Inspect(context.Background(), ref)
			if err != nil {
				t.Fatal(err)
			}
			got, err := in.Platforms()
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("%s: platforms (-want +got):\n%s", ref, d)
			}
		}

	})
}
