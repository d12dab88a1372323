package oci

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

func TestParseSources(t *testing.T) {
	const dg = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	tests := []struct {
		name       string
		args, tags []string
		want       []Source
		wantErr    string
	}{{
		name: "references",
		args: []string{"localhost:5000/a:1", "localhost:5000/b@" + dg},
		want: []Source{{Ref: "localhost:5000/a:1"}, {Ref: "localhost:5000/b@" + dg}},
	}, {
		name: "a digest in the tags' repository",
		args: []string{dg}, tags: []string{"localhost:5000/app:v1", "localhost:5000/app:latest"},
		want: []Source{{Ref: "localhost:5000/app@" + dg, Desc: ocispec.Descriptor{Digest: dg}}},
	}, {
		name: "a descriptor in the sources' repository",
		args: []string{"localhost:5000/app:amd64", `{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"` + dg + `","size":7,"platform":{"os":"linux","architecture":"arm64"}}`},
		want: []Source{{Ref: "localhost:5000/app:amd64"}, {Ref: "localhost:5000/app@" + dg, Desc: ocispec.Descriptor{
			MediaType: ocispec.MediaTypeImageManifest, Digest: dg, Size: 7, Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64"},
		}}},
	}, {
		name: "no repository", args: []string{dg},
		wantErr: `source "` + dg + `": no repository to find it in: give a tag or a source with a repository`,
	}, {
		name: "several repositories", args: []string{dg}, tags: []string{"localhost:5000/a:1", "localhost:5000/b:1"},
		wantErr: "the tags and sources name several repositories",
	}, {
		name: "a short digest", args: []string{"sha256:abc"},
		wantErr: `invalid source "sha256:abc" (a source is a reference, a digest or a descriptor as JSON)`,
	}, {
		name: "a manifest instead of a descriptor", args: []string{`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`},
		wantErr: "this is a manifest or index (schemaVersion 2), not a descriptor of one",
	}, {
		name: "a descriptor without digest", args: []string{`{"mediaType":"application/vnd.oci.image.manifest.v1+json"}`},
		wantErr: "the descriptor has no digest",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseSources(tt.args, tt.tags)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// A single image with CarbonCopy is pushed as it is: the tag's digest is
// the image's, copied into the tag's repository.
func TestCreateCarbonCopy(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		src, dst := uniqueRepo(t, reg, "src"), uniqueRepo(t, reg, "dst")
		img := platformImage(t, linuxARM64)
		pushTag(t, reg, src+":arm64", img)
		want := descriptorOf(t, img)
		got, err := testClient(reg).CreateFrom(context.Background(), []string{dst + ":copy"}, []Source{{Ref: src + ":arm64"}}, ComposeOptions{CarbonCopy: true})
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("descriptor (-want +got):\n%s", diff)
		}
		if s := headStatus(t, reg, dst+"@"+want.Digest.String()); s != http.StatusOK {
			t.Errorf("%s:copy is not the image", dst)
		}
		// Without CarbonCopy (buildx's default --prefer-index) it is wrapped.
		idx, err := testClient(reg).Compose(context.Background(), []Source{{Ref: src + ":arm64"}}, ComposeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if idx.Descriptor.MediaType != ocispec.MediaTypeImageIndex {
			t.Errorf("prefer-index: %s, want an index", idx.Descriptor.MediaType)
		}
		// A platform filter that the image does not match is an error.
		_, err = testClient(reg).Compose(context.Background(), []Source{{Ref: src + ":arm64"}}, ComposeOptions{CarbonCopy: true, Platforms: []ocispec.Platform{linuxAMD64}})
		if err == nil || !strings.Contains(err.Error(), "is linux/arm64, which matches none of the platforms asked for") {
			t.Errorf("error %v", err)
		}
	})
}

// Platforms keeps the matching images and their attestations, in index
// order; a single index source keeps its bytes when nothing is dropped.
func TestComposePlatforms(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		amd, arm, armv7 := platformImage(t, linuxAMD64), platformImage(t, linuxARM64), platformImage(t, linuxARMv7)
		amdAtt, armAtt := attestationImage(t), attestationImage(t, statement{predicateType: slsaV02, predicate: `{}`})
		idx := pushIndexDirect(t, reg, repo+":multi",
			mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
			mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
			mutate.IndexAddendum{Add: armv7, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
			attestationOf(t, amdAtt, amd),
			attestationOf(t, armAtt, arm),
		)
		_, full := rawIndex(t, reg, repo+":multi")
		c := testClient(reg)
		ctx := context.Background()

		got, err := c.Compose(ctx, []Source{{Ref: repo + ":multi"}}, ComposeOptions{Platforms: []ocispec.Platform{linuxARM64, linuxAMD64}})
		if err != nil {
			t.Fatal(err)
		}
		var gotIdx ocispec.Index
		if err := json.Unmarshal(got.Raw, &gotIdx); err != nil {
			t.Fatal(err)
		}
		want := []ocispec.Descriptor{full.Manifests[0], full.Manifests[1], full.Manifests[3], full.Manifests[4]}
		if diff := cmp.Diff(want, gotIdx.Manifests); diff != "" {
			t.Errorf("manifests (-want +got):\n%s", diff)
		}
		if got.Descriptor.Digest != digest.FromBytes(got.Raw) || got.Descriptor.MediaType != ocispec.MediaTypeImageIndex {
			t.Errorf("descriptor %+v does not describe the bytes", got.Descriptor)
		}

		all, err := c.Compose(ctx, []Source{{Ref: repo + ":multi"}}, ComposeOptions{Platforms: []ocispec.Platform{linuxARM64, linuxAMD64, linuxARMv7}})
		if err != nil {
			t.Fatal(err)
		}
		if want := descriptorOf(t, idx); all.Descriptor.Digest != want.Digest {
			t.Errorf("every platform kept: digest %s, want the source's %s", all.Descriptor.Digest, want.Digest)
		}

		// Two sources: the filter applies to the merged index.
		pushTag(t, reg, repo+":armv7", armv7)
		two, err := c.Compose(ctx, []Source{{Ref: repo + ":armv7"}, {Ref: repo + ":multi"}}, ComposeOptions{Platforms: []ocispec.Platform{linuxARMv7}})
		if err != nil {
			t.Fatal(err)
		}
		var twoIdx ocispec.Index
		_ = json.Unmarshal(two.Raw, &twoIdx)
		if len(twoIdx.Manifests) != 1 || twoIdx.Manifests[0].Digest != descriptorOf(t, armv7).Digest {
			t.Errorf("two sources for linux/arm/v7: %s", two.Raw)
		}

		_, err = c.Compose(ctx, []Source{{Ref: repo + ":multi"}}, ComposeOptions{Platforms: []ocispec.Platform{{OS: "linux", Architecture: "s390x"}}})
		if err == nil || err.Error() != "none of the manifests is for linux/s390x" {
			t.Errorf("error %v", err)
		}
	})
}

// A descriptor source overrides the registry's platform and annotations;
// descriptor annotations go on every entry or on one platform's.
func TestComposeDescriptorsAndAnnotations(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		amd, arm := platformImage(t, linuxAMD64), platformImage(t, linuxARM64)
		pushTag(t, reg, repo+":amd64", amd)
		armM, _ := pushByDigest(t, reg, repo, arm, linuxARM64)
		armD := descriptorOf(t, arm)
		srcs, err := ParseSources([]string{repo + ":amd64", `{"digest":"` + armD.Digest.String() + `","platform":{"os":"linux","architecture":"arm64","variant":"v8"},"annotations":{"from":"descriptor"}}`}, []string{repo + ":v1"})
		if err != nil {
			t.Fatal(err)
		}
		if srcs[1].Ref != armM.Ref {
			t.Fatalf("the descriptor source is at %s, want %s", srcs[1].Ref, armM.Ref)
		}
		idx, err := testClient(reg).Compose(context.Background(), srcs, ComposeOptions{
			Annotations: map[string]string{"org.opencontainers.image.title": "app"},
			DescriptorAnnotations: []DescriptorAnnotation{
				{Key: "all", Value: "yes"},
				{Key: "arm-only", Value: "yes", Platform: &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}},
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		var got ocispec.Index
		if err := json.Unmarshal(idx.Raw, &got); err != nil {
			t.Fatal(err)
		}
		amdD := withPlatform(t, amd, linuxAMD64)
		amdD.Annotations = map[string]string{"all": "yes"}
		armD.Platform = &ocispec.Platform{OS: "linux", Architecture: "arm64", Variant: "v8"}
		armD.Annotations = map[string]string{"from": "descriptor", "all": "yes", "arm-only": "yes"}
		if diff := cmp.Diff([]ocispec.Descriptor{amdD, armD}, got.Manifests); diff != "" {
			t.Errorf("manifests (-want +got):\n%s", diff)
		}
		if got.Annotations["org.opencontainers.image.title"] != "app" || got.MediaType != ocispec.MediaTypeImageIndex {
			t.Errorf("index %s", idx.Raw)
		}

		// A size that disagrees with the registry's is refused.
		bad := srcs[1]
		bad.Desc.Size = armD.Size + 1
		if _, err := testClient(reg).Compose(context.Background(), []Source{bad}, ComposeOptions{}); err == nil || !strings.Contains(err.Error(), "the descriptor says size") {
			t.Errorf("error %v", err)
		}
	})
}
