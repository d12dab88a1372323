package oci

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/validate"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/executor/oci/ocitest"
)

func TestPushIndex(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		var ms []Manifest
		var want []ocispec.Descriptor
		for _, p := range []ocispec.Platform{linuxAMD64, linuxARM64, linuxARMv7} {
			m, d := pushByDigest(t, reg, repo, platformImage(t, p), p)
			ms = append(ms, m)
			want = append(want, d)
		}
		ann := map[string]string{"org.opencontainers.image.source": "https://example.com/app"}
		tags := []string{repo + ":1.0", repo + ":latest"}

		got, err := testClient(reg).PushIndex(context.Background(), tags, ms, ann)
		if err != nil {
			t.Fatal(err)
		}
		for _, tag := range tags {
			d, idx := rawIndex(t, reg, tag)
			if got.Digest != digest.FromBytes(d.Manifest) || got.Size != int64(len(d.Manifest)) || got.MediaType != ocispec.MediaTypeImageIndex {
				t.Errorf("%s: PushIndex returned %+v; registry has %s, %d bytes", tag, got, digest.FromBytes(d.Manifest), len(d.Manifest))
			}
			if string(d.MediaType) != ocispec.MediaTypeImageIndex || idx.MediaType != ocispec.MediaTypeImageIndex {
				t.Errorf("%s: media type %s / %s, want %s", tag, d.MediaType, idx.MediaType, ocispec.MediaTypeImageIndex)
			}
			if diff := cmp.Diff(want, idx.Manifests); diff != "" {
				t.Errorf("%s manifests (-want +got):\n%s", tag, diff)
			}
			if diff := cmp.Diff(ann, idx.Annotations); diff != "" {
				t.Errorf("%s annotations (-want +got):\n%s", tag, diff)
			}
		}
		ii, err := remote.Index(mustParse(t, tags[0]), remote.WithAuthFromKeychain(reg.auth))
		if err != nil {
			t.Fatal(err)
		}
		if err := validate.Index(ii); err != nil {
			t.Errorf("pushed index is not valid: %v", err)
		}
	})
}

// A tag in another repository than the per-platform manifests gets them
// copied (blobs mounted) there first, and every platform is pullable
// from the tag's repository.
func TestPushIndexOtherRepository(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		build := uniqueRepo(t, reg, "build")
		release := uniqueRepo(t, reg, "release")
		amd, dAMD := pushByDigest(t, reg, build, platformImage(t, linuxAMD64), linuxAMD64)
		arm, dARM := pushByDigest(t, reg, build, platformImage(t, linuxARM64), linuxARM64)

		got, err := testClient(reg).PushIndex(context.Background(), []string{release + ":v1"}, []Manifest{amd, arm}, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, idx := rawIndex(t, reg, release+":v1")
		if got.Digest != digest.FromBytes(d.Manifest) {
			t.Errorf("returned digest %s, registry has %s", got.Digest, digest.FromBytes(d.Manifest))
		}
		if diff := cmp.Diff([]ocispec.Descriptor{dAMD, dARM}, idx.Manifests); diff != "" {
			t.Errorf("manifests (-want +got):\n%s", diff)
		}
		for _, want := range []ocispec.Descriptor{dAMD, dARM} {
			img, err := remote.Image(mustParse(t, release+"@"+want.Digest.String()), remote.WithAuthFromKeychain(reg.auth))
			if err != nil {
				t.Fatalf("platform %s not in %s: %v", want.Platform.Architecture, release, err)
			}
			if err := validate.Image(img); err != nil {
				t.Errorf("platform %s in %s is incomplete: %v", want.Platform.Architecture, release, err)
			}
		}
	})
}

// A missing platform manifest fails the push before any tag is written:
// an existing tag keeps its old index, a new tag is not created, and
// nothing is copied to the tags' repository.
func TestPushIndexMissingManifestLeavesTags(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		other := uniqueRepo(t, reg, "other")
		amd, _ := pushByDigest(t, reg, repo, platformImage(t, linuxAMD64), linuxAMD64)
		old := pushIndexDirect(t, reg, repo+":stable", mutate.IndexAddendum{Add: platformImage(t, linuxAMD64)})
		oldDigest, _ := old.Digest()
		missingImg := platformImage(t, linuxARM64)
		md, _ := missingImg.Digest()
		missing := Manifest{Ref: repo + "@" + md.String(), Descriptor: ocispec.Descriptor{Platform: &linuxARM64}}

		tags := []string{repo + ":stable", repo + ":new", other + ":v1"}
		_, err := testClient(reg).PushIndex(context.Background(), tags, []Manifest{amd, missing}, nil)
		if err == nil {
			t.Fatal("PushIndex succeeded with a missing manifest")
		}
		for _, want := range []string{"no tag was written", md.String() + " (linux/arm64) not found"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		}
		if d, _ := rawIndex(t, reg, repo+":stable"); d.Digest != oldDigest {
			t.Errorf("%s:stable moved to %s; want it left at %s", repo, d.Digest, oldDigest)
		}
		for _, ref := range []string{repo + ":new", other + ":v1", other + "@" + amd.Descriptor.Digest.String()} {
			if got := headStatus(t, reg, ref); got != http.StatusNotFound {
				t.Errorf("HEAD %s = %d; want 404, nothing written", ref, got)
			}
		}
	})
}

func TestPushIndexRejectsBadInput(t *testing.T) {
	reg := memRegistry(t)
	repo := reg.host + "/app"
	d := "sha256:" + strings.Repeat("a", 64)
	ok := Manifest{Ref: repo + "@" + d}
	for _, tc := range []struct {
		name      string
		tags      []string
		manifests []Manifest
		want      string
	}{
		{"no tags", nil, []Manifest{ok}, "no tag to push the index to"},
		{"digest as tag", []string{repo + "@" + d}, []Manifest{ok}, "a digest reference cannot be tagged"},
		{"no manifests", []string{repo + ":v1"}, nil, "no manifests"},
		{"manifest by tag", []string{repo + ":v1"}, []Manifest{{Ref: repo + ":amd64"}}, "want repo@sha256:<digest>"},
		{"digest mismatch", []string{repo + ":v1"}, []Manifest{{Ref: repo + "@" + d, Descriptor: ocispec.Descriptor{Digest: digest.Digest("sha256:" + strings.Repeat("b", 64))}}}, "descriptor digest is sha256:bbbb"},
		{"bad tag", []string{"UPPER/Case:v1"}, []Manifest{ok}, `invalid image reference "UPPER/Case:v1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := testClient(reg).PushIndex(context.Background(), tc.tags, tc.manifests, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error = %v; want it to contain %q", err, tc.want)
			}
		})
	}
}

// Tags in another registry get the manifests copied across first.
func TestPushIndexOtherRegistry(t *testing.T) {
	src, dst := memRegistry(t), memRegistry(t)
	amd, dAMD := pushByDigest(t, src, src.host+"/build", platformImage(t, linuxAMD64), linuxAMD64)
	got, err := testClient(src).PushIndex(context.Background(), []string{dst.host + "/app:v1"}, []Manifest{amd}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, idx := rawIndex(t, dst, dst.host+"/app:v1")
	if got.Digest != digest.FromBytes(d.Manifest) || len(idx.Manifests) != 1 || idx.Manifests[0].Digest != dAMD.Digest {
		t.Fatalf("%s/app:v1 = %s %v; want %s over %s", dst.host, d.Digest, idx.Manifests, got.Digest, dAMD.Digest)
	}
	img, err := remote.Image(mustParse(t, dst.host+"/app@"+dAMD.Digest.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := validate.Image(img); err != nil {
		t.Errorf("copied image is incomplete: %v", err)
	}
}

// A registry that refuses the second tag: the first has moved, and the
// error says which tags point at the new index, typed, so that the run
// can record them.
func TestPushIndexSecondTagRefused(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "app")
		m, _ := pushByDigest(t, reg, repo, platformImage(t, linuxAMD64), linuxAMD64)
		p := ocitest.NewProxy(t, reg.host, ocitest.Rule{Method: http.MethodPut, Path: "/manifests/v2$", Fault: ocitest.Denied})
		m.Ref = p.Swap(m.Ref)
		tags := []string{p.Swap(repo) + ":v1", p.Swap(repo) + ":v2", p.Swap(repo) + ":v3"}
		_, err := testClient(reg).PushIndex(context.Background(), tags, []Manifest{m}, nil)
		var pe *PartialPushError
		if !errors.As(err, &pe) {
			t.Fatalf("error = %v, want a PartialPushError", err)
		}
		if !slices.Equal(pe.Tags, tags[:1]) || !strings.Contains(err.Error(), "pushing "+tags[1]) || !strings.Contains(err.Error(), "DENIED") {
			t.Errorf("error = %v (tags %v); want v2 refused, v1 written", err, pe.Tags)
		}
		d, _ := rawIndex(t, reg, repo+":v1")
		if d.Digest.String() != pe.Index.Digest.String() {
			t.Errorf("v1 is %s, the error says %s", d.Digest, pe.Index.Digest)
		}
		for _, tag := range []string{"v2", "v3"} {
			if got := headStatus(t, reg, repo+":"+tag); got != http.StatusNotFound {
				t.Errorf("HEAD %s = %d, want 404", tag, got)
			}
		}
	})
}
