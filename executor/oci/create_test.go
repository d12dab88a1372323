package oci

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Sources by tag and by digest, an index among them, and a duplicate: the
// result lists each manifest once, in source order, with the platform of
// each image's config, in the tags' repository.
func TestCreate(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		src, dst := uniqueRepo(t, reg, "src"), uniqueRepo(t, reg, "dst")
		amd, arm, armv7 := platformImage(t, linuxAMD64), platformImage(t, linuxARM64), platformImage(t, linuxARMv7)
		pushTag(t, reg, src+":amd64", amd)
		mARM, _ := pushByDigest(t, reg, src, arm, linuxARM64)
		pushIndexDirect(t, reg, src+":multi",
			mutate.IndexAddendum{Add: armv7, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
			mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		)
		ann := map[string]string{"org.opencontainers.image.title": "app"}
		tags := []string{dst + ":v1", dst + ":latest"}

		c := testClient(reg)
		got, err := c.Create(context.Background(), tags, []string{src + ":amd64", mARM.Ref, src + ":multi"}, ann)
		if err != nil {
			t.Fatal(err)
		}
		// Images contribute a descriptor of their own; an index source its
		// entries as they are (ggcr sets artifactType on them).
		_, multi := rawIndex(t, reg, src+":multi")
		want := []ocispec.Descriptor{withPlatform(t, amd, linuxAMD64), withPlatform(t, arm, linuxARM64), multi.Manifests[0]}
		if multi.Manifests[0].Digest != descriptorOf(t, armv7).Digest {
			t.Fatalf("test setup: %s:multi starts with %s", src, multi.Manifests[0].Digest)
		}
		for _, tag := range tags {
			d, idx := rawIndex(t, reg, tag)
			if got.Digest != digest.FromBytes(d.Manifest) || got.Size != int64(len(d.Manifest)) || got.MediaType != ocispec.MediaTypeImageIndex {
				t.Errorf("%s: Create returned %+v; registry has %s (%s)", tag, got, digest.FromBytes(d.Manifest), d.MediaType)
			}
			if diff := cmp.Diff(want, idx.Manifests); diff != "" {
				t.Errorf("%s manifests (-want +got):\n%s", tag, diff)
			}
			if diff := cmp.Diff(ann, idx.Annotations); diff != "" {
				t.Errorf("%s annotations (-want +got):\n%s", tag, diff)
			}
		}
		for _, w := range want {
			if s := headStatus(t, reg, dst+"@"+w.Digest.String()); s != http.StatusOK {
				t.Errorf("%s (%s) not copied to %s", w.Digest, platformID(*w.Platform), dst)
			}
		}
	})
}

// One index source and no annotations: the index is copied byte for byte
// (same digest), as buildx does.
func TestCreateKeepsSingleIndex(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		src, dst := uniqueRepo(t, reg, "src"), uniqueRepo(t, reg, "dst")
		idx := pushIndexDirect(t, reg, src+":v1",
			mutate.IndexAddendum{Add: platformImage(t, linuxARM64), Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}})
		want := descriptorOf(t, idx)
		got, err := testClient(reg).Create(context.Background(), []string{dst + ":copy"}, []string{src + ":v1"}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("descriptor (-want +got):\n%s", diff)
		}
		if d, _ := rawIndex(t, reg, dst+":copy"); d.Digest.String() != want.Digest.String() {
			t.Errorf("%s:copy is %s, want %s", dst, d.Digest, want.Digest)
		}
	})
}

// Docker images without annotations make a Docker manifest list; the dry
// run (Compose) pushes nothing.
func TestComposeIndexDockerTypes(t *testing.T) {
	reg := memRegistry(t)
	repo := uniqueRepo(t, reg, "docker")
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	pushTag(t, reg, repo+":a", img)
	idx, err := testClient(reg).Compose(context.Background(), []Source{{Ref: repo + ":a"}}, ComposeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got ocispec.Index
	if err := json.Unmarshal(idx.Raw, &got); err != nil {
		t.Fatal(err)
	}
	d := descriptorOf(t, img) // random.Image's config has no platform
	if idx.Descriptor.MediaType != string(types.DockerManifestList) || got.MediaType != string(types.DockerManifestList) || idx.Descriptor.Digest != digest.FromBytes(idx.Raw) {
		t.Errorf("index %+v (%s); want a Docker manifest list whose digest is of Raw", idx.Descriptor, got.MediaType)
	}
	if diff := cmp.Diff([]ocispec.Descriptor{d}, got.Manifests); diff != "" {
		t.Errorf("manifests (-want +got):\n%s", diff)
	}
	if s := headStatus(t, reg, repo+"@"+idx.Descriptor.Digest.String()); s != http.StatusNotFound {
		t.Errorf("the dry run pushed the index")
	}
}

func TestCreateMissingSourceWritesNothing(t *testing.T) {
	reg := memRegistry(t)
	repo := uniqueRepo(t, reg, "app")
	pushTag(t, reg, repo+":amd64", platformImage(t, linuxAMD64))
	_, err := testClient(reg).Create(context.Background(), []string{repo + ":v1"}, []string{repo + ":amd64", repo + ":arm64"}, nil)
	if err == nil {
		t.Fatal("Create succeeded with a missing source")
	}
	if s := headStatus(t, reg, repo+":v1"); s != http.StatusNotFound {
		t.Errorf("HEAD %s:v1 = %d, want 404", repo, s)
	}
}

func pushTag(t *testing.T, reg target, tag string, img v1.Image) {
	t.Helper()
	if err := remote.Write(mustParse(t, tag), img, remote.WithAuthFromKeychain(reg.auth)); err != nil {
		t.Fatalf("pushing %s: %v", tag, err)
	}
}

func withPlatform(t *testing.T, img v1.Image, p ocispec.Platform) ocispec.Descriptor {
	d := descriptorOf(t, img)
	d.Platform = &p
	return d
}
