package oci

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	cachetypes "github.com/moby/buildkit/cache/remotecache/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// pushCache writes a registry cache as BuildKit's exporter does: the layer
// blobs, the config blob, and an index (or, with imageManifest, an image
// manifest) naming them. It returns the layer descriptors.
func pushCache(t *testing.T, reg target, ref string, cfg cachetypes.CacheConfig, imageManifest bool, blobs ...string) []ocispec.Descriptor {
	t.Helper()
	r := mustParse(t, ref)
	opt := remote.WithAuthFromKeychain(reg.auth)
	var layers []ocispec.Descriptor
	for _, b := range blobs {
		l := static.NewLayer([]byte(b), types.OCILayer)
		if err := remote.WriteLayer(r.Context(), l, opt); err != nil {
			t.Fatal(err)
		}
		d := ocispec.Descriptor{MediaType: string(types.OCILayer), Digest: digest.FromString(b), Size: int64(len(b)),
			Annotations: map[string]string{"containerd.io/uncompressed": digest.FromString("u" + b).String()}}
		layers = append(layers, d)
	}
	dt, _ := json.Marshal(cfg)
	if err := remote.WriteLayer(r.Context(), static.NewLayer(dt, cachetypes.CacheConfigMediaTypeV0), opt); err != nil {
		t.Fatal(err)
	}
	cd := ocispec.Descriptor{MediaType: cachetypes.CacheConfigMediaTypeV0, Digest: digest.FromBytes(dt), Size: int64(len(dt))}
	mt := ocispec.MediaTypeImageIndex
	if imageManifest {
		mt = ocispec.MediaTypeImageManifest
	}
	raw, err := cacheManifestBytes(mt, cd, layers)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Put(r, rawManifest{raw: raw, mediaType: types.MediaType(mt)}, opt); err != nil {
		t.Fatal(err)
	}
	return layers
}

// Per-platform caches join into one under the name the user wrote: the
// union of their layers, the merged config, in the format they used.
func TestMergeCache(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		for _, imageManifest := range []bool{false, true} {
			repo := uniqueRepo(t, reg, "cache")
			base := digest.FromString("base")
			cfg := func(own string) cachetypes.CacheConfig {
				return cachetypes.CacheConfig{
					Layers: []cachetypes.CacheLayer{{Blob: base, ParentIndex: -1}, {Blob: digest.FromString(own), ParentIndex: 0}},
					Records: []cachetypes.CacheRecord{
						{Digest: "sha256:from", Results: []cachetypes.CacheResult{{LayerIndex: 0}}},
						{Digest: digest.FromString("run " + own), Inputs: [][]cachetypes.CacheInput{{{LinkIndex: 0}}}, Results: []cachetypes.CacheResult{{LayerIndex: 1}}},
					},
				}
			}
			amd := pushCache(t, reg, repo+":cache-linux-amd64", cfg("amd"), imageManifest, "base", "amd")
			arm := pushCache(t, reg, repo+":cache-linux-arm64", cfg("arm"), imageManifest, "base", "arm")

			c := testClient(reg)
			parts := []string{repo + ":cache-linux-amd64", repo + ":cache-linux-arm64", repo + ":cache-linux-riscv64"}
			desc, err := c.MergeCache(context.Background(), repo+":cache", parts)
			if err != nil {
				t.Fatal(err)
			}
			s, _ := c.newSession(context.Background())
			got, err := s.cacheManifest(context.Background(), mustTag(t, repo+":cache"))
			if err != nil {
				t.Fatal(err)
			}
			wantType := ocispec.MediaTypeImageIndex
			if imageManifest {
				wantType = ocispec.MediaTypeImageManifest
			}
			if got.mediaType != wantType || desc.MediaType != wantType {
				t.Errorf("media type %s (descriptor %s), want %s", got.mediaType, desc.MediaType, wantType)
			}
			if d := cmp.Diff([]ocispec.Descriptor{amd[0], amd[1], arm[1]}, got.layers); d != "" {
				t.Errorf("layers (-want +got):\n%s", d)
			}
			if len(got.config.Layers) != 3 || len(got.config.Records) != 3 {
				t.Errorf("merged config: %d layers, %d records, want 3 and 3: %+v", len(got.config.Layers), len(got.config.Records), got.config)
			}
		}
	})
}

// With no part in the registry there is nothing to merge, and the named
// ref is left as it was.
func TestMergeCacheNoParts(t *testing.T) {
	reg := memRegistry(t)
	repo := uniqueRepo(t, reg, "cache")
	desc, err := testClient(reg).MergeCache(context.Background(), repo+":cache", []string{repo + ":cache-linux-amd64"})
	if err != nil || desc.Digest != "" {
		t.Fatalf("desc %v, err %v", desc, err)
	}
	if st := headStatus(t, reg, repo+":cache"); st != 404 {
		t.Errorf("HEAD %s:cache = %d", repo, st)
	}
}

func mustTag(t *testing.T, s string) name.Tag {
	t.Helper()
	tg, err := parseTag(s)
	if err != nil {
		t.Fatal(err)
	}
	return tg
}
