package oci

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	cachetypes "github.com/moby/buildkit/cache/remotecache/v1/types"
	"github.com/opencontainers/go-digest"
)

// Two platforms' caches of one Dockerfile: a shared first step (the same
// base layer, the same record) and one step per platform on top of it.
// BuildKit sorts layers by blob, so parents may come after children.
func TestMergeCacheConfigs(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	base, amdLayer, armLayer := digest.FromString("base"), digest.FromString("amd"), digest.FromString("arm")
	amd := cachetypes.CacheConfig{
		Layers: []cachetypes.CacheLayer{{Blob: amdLayer, ParentIndex: 1}, {Blob: base, ParentIndex: -1}},
		Records: []cachetypes.CacheRecord{
			{Digest: "sha256:run-amd", Inputs: [][]cachetypes.CacheInput{{{LinkIndex: 1}}}, Results: []cachetypes.CacheResult{{LayerIndex: 0, CreatedAt: at}}},
			{Digest: "sha256:from", Results: []cachetypes.CacheResult{{LayerIndex: 1, CreatedAt: at}}},
		},
	}
	arm := cachetypes.CacheConfig{
		Layers: []cachetypes.CacheLayer{{Blob: base, ParentIndex: -1}, {Blob: armLayer, ParentIndex: 0}},
		Records: []cachetypes.CacheRecord{
			{Digest: "sha256:from", Results: []cachetypes.CacheResult{{LayerIndex: 0, CreatedAt: at}}},
			{Digest: "sha256:run-arm", Inputs: [][]cachetypes.CacheInput{{{Selector: "sel", LinkIndex: 0}}}, Results: []cachetypes.CacheResult{{LayerIndex: 1, CreatedAt: at}}},
			// The same step seen twice: one record.
			{Digest: "sha256:run-arm", Inputs: [][]cachetypes.CacheInput{{{Selector: "sel", LinkIndex: 0}}}, ChainedResults: []cachetypes.ChainedResult{{LayerIndexes: []int{0, 1}, CreatedAt: at}}},
		},
	}
	got, err := mergeCacheConfigs([]cachetypes.CacheConfig{amd, arm})
	if err != nil {
		t.Fatal(err)
	}
	want := cachetypes.CacheConfig{
		Layers: []cachetypes.CacheLayer{{Blob: base, ParentIndex: -1}, {Blob: amdLayer, ParentIndex: 0}, {Blob: armLayer, ParentIndex: 0}},
		Records: []cachetypes.CacheRecord{
			{Digest: "sha256:from", Results: []cachetypes.CacheResult{{LayerIndex: 0, CreatedAt: at}}},
			{Digest: "sha256:run-amd", Inputs: [][]cachetypes.CacheInput{{{LinkIndex: 0}}}, Results: []cachetypes.CacheResult{{LayerIndex: 1, CreatedAt: at}}},
			{Digest: "sha256:run-arm", Inputs: [][]cachetypes.CacheInput{{{Selector: "sel", LinkIndex: 0}}},
				Results:        []cachetypes.CacheResult{{LayerIndex: 2, CreatedAt: at}},
				ChainedResults: []cachetypes.ChainedResult{{LayerIndexes: []int{0, 2}, CreatedAt: at}}},
		},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("merged (-want +got):\n%s", d)
	}

	// Merging is idempotent: the merged config with itself, or with one of
	// its parts again, is the same config.
	again, err := mergeCacheConfigs([]cachetypes.CacheConfig{got, amd, got})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, again); d != "" {
		t.Errorf("merged again (-want +got):\n%s", d)
	}
}

// A same digest with other inputs is another step (the same command on
// another base), and stays apart.
func TestMergeCacheConfigsKeepsDistinctInputs(t *testing.T) {
	mk := func(base string) cachetypes.CacheConfig {
		return cachetypes.CacheConfig{Records: []cachetypes.CacheRecord{
			{Digest: digest.FromString(base)},
			{Digest: "sha256:run", Inputs: [][]cachetypes.CacheInput{{{LinkIndex: 0}}}},
		}}
	}
	got, err := mergeCacheConfigs([]cachetypes.CacheConfig{mk("alpine"), mk("debian")})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Records) != 4 {
		t.Errorf("%d records, want 4: %+v", len(got.Records), got.Records)
	}
}

func TestMergeCacheConfigsRejectsBrokenConfigs(t *testing.T) {
	for name, c := range map[string]struct {
		cfg  cachetypes.CacheConfig
		want string
	}{
		"layer cycle": {cachetypes.CacheConfig{
			Layers:  []cachetypes.CacheLayer{{Blob: "sha256:a", ParentIndex: 1}, {Blob: "sha256:b", ParentIndex: 0}},
			Records: []cachetypes.CacheRecord{{Digest: "sha256:r", Results: []cachetypes.CacheResult{{LayerIndex: 0}}}},
		}, "its own parent"},
		"record cycle": {cachetypes.CacheConfig{
			Records: []cachetypes.CacheRecord{{Digest: "sha256:r", Inputs: [][]cachetypes.CacheInput{{{LinkIndex: 0}}}}},
		}, "links to itself"},
		"link out of range": {cachetypes.CacheConfig{
			Records: []cachetypes.CacheRecord{{Digest: "sha256:r", Inputs: [][]cachetypes.CacheInput{{{LinkIndex: 3}}}}},
		}, "record index 3 out of range"},
		"layer out of range": {cachetypes.CacheConfig{
			Records: []cachetypes.CacheRecord{{Digest: "sha256:r", Results: []cachetypes.CacheResult{{LayerIndex: 2}}}},
		}, "layer index 2 out of range"},
	} {
		_, err := mergeCacheConfigs([]cachetypes.CacheConfig{c.cfg})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", name, err, c.want)
		}
	}
}
