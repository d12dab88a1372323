package executor

import (
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/bake"
)

func TestCacheEntriesPerPlatform(t *testing.T) {
	in := []*bake.CacheEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache"}},
		{Type: "local", Attrs: map[string]string{"dest": "cache"}},
		{Type: "inline"},
	}
	got := cacheEntries(in, platforms.MustParse("linux/arm64"), true, "/w")
	want := []client.CacheOptionsEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache-linux-arm64"}},
		{Type: "local", Attrs: map[string]string{"dest": "/w/cache/linux-arm64"}},
		{Type: "inline", Attrs: map[string]string{}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
