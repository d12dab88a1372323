package executor

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

func TestCacheEntriesPerPlatform(t *testing.T) {
	tgt := &bake.Target{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"},
		CacheFrom: []*bake.CacheEntry{
			{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache"}},
			{Type: "local", Attrs: map[string]string{"src": "cache"}},
			{Type: "gha", Attrs: map[string]string{"token": "t", "url": "http://c/"}},
			{Type: "s3", Attrs: map[string]string{"bucket": "b", "name": "x;y"}},
			{Type: "registry", Attrs: map[string]string{"ref": "reg.test/off", "disabled": "true"}},
		},
		CacheTo: []*bake.CacheEntry{
			{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache", "mode": "max"}},
			{Type: "local", Attrs: map[string]string{"dest": "cache"}},
			{Type: "gha", Attrs: map[string]string{"token": "t", "url": "http://c/", "scope": "app"}},
			{Type: "inline"},
		},
	}
	arm := platforms.MustParse("linux/arm64")
	imports := cacheImports(tgt, arm, true, "/w", noEnv)
	wantImports := []client.CacheOptionsEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache"}},
		{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache-linux-arm64"}},
		{Type: "local", Attrs: map[string]string{"src": "/w/cache"}},
		{Type: "local", Attrs: map[string]string{"src": "/w/cache/linux-arm64"}},
		{Type: "gha", Attrs: map[string]string{"token": "t", "url": "http://c/"}},
		{Type: "gha", Attrs: map[string]string{"token": "t", "url": "http://c/", "scope": "buildkit-linux-arm64"}},
		{Type: "s3", Attrs: map[string]string{"bucket": "b", "name": "x;y"}},
		{Type: "s3", Attrs: map[string]string{"bucket": "b", "name": "x-linux-arm64;y-linux-arm64"}},
	}
	if d := cmp.Diff(wantImports, imports); d != "" {
		t.Errorf("imports (-want +got):\n%s", d)
	}
	exports := cacheExports(tgt, arm, true, "/w", noEnv)
	wantExports := []client.CacheOptionsEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "reg.test/app:cache-linux-arm64", "mode": "max"}},
		{Type: "local", Attrs: map[string]string{"dest": "/w/cache/linux-arm64"}},
		{Type: "gha", Attrs: map[string]string{"token": "t", "url": "http://c/", "scope": "app-linux-arm64"}},
		{Type: "inline", Attrs: map[string]string{}},
	}
	if d := cmp.Diff(wantExports, exports); d != "" {
		t.Errorf("exports (-want +got):\n%s", d)
	}

	// One platform: the entries as written.
	if d := cmp.Diff(wantImports[0], cacheImports(tgt, arm, false, "/w", noEnv)[0]); d != "" {
		t.Errorf("single-platform import (-want +got):\n%s", d)
	}
	if got := cacheExports(tgt, arm, false, "/w", noEnv)[0].Attrs["ref"]; got != "reg.test/app:cache" {
		t.Errorf("single-platform export ref = %s", got)
	}
}

// gha entries are completed from the runner's variables as buildx does,
// and dropped outside GitHub Actions.
func TestCacheEntriesGitHubActions(t *testing.T) {
	cases := []struct {
		name  string
		attrs map[string]string
		env   map[string]string
		want  map[string]string // nil: the entry is dropped
	}{
		{"no runner", map[string]string{"mode": "max"}, nil, nil},
		{"token but no url", nil, map[string]string{"ACTIONS_RUNTIME_TOKEN": "tok"}, nil},
		{"v1", map[string]string{"mode": "max"},
			map[string]string{"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_CACHE_URL": "https://v1/", "ACTIONS_RESULTS_URL": "https://v2/"},
			map[string]string{"mode": "max", "token": "tok", "url": "https://v1/"}},
		{"results url only", nil,
			map[string]string{"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_RESULTS_URL": "https://v2/"},
			map[string]string{"token": "tok", "url": "https://v2/"}},
		{"v2 service", nil,
			map[string]string{"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_CACHE_SERVICE_V2": "true", "ACTIONS_CACHE_URL": "https://v1/", "ACTIONS_RESULTS_URL": "https://v2/"},
			map[string]string{"token": "tok", "url": "https://v1/", "url_v2": "https://v2/"}},
		{"version=2 written", map[string]string{"version": "2"},
			map[string]string{"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_RESULTS_URL": "https://v2/"},
			map[string]string{"version": "2", "token": "tok", "url": "https://v2/", "url_v2": "https://v2/"}},
		{"written values win", map[string]string{"token": "mine", "url": "http://127.0.0.1:1/"},
			map[string]string{"ACTIONS_RUNTIME_TOKEN": "tok", "ACTIONS_CACHE_URL": "https://v1/"},
			map[string]string{"token": "mine", "url": "http://127.0.0.1:1/"}},
	}
	p := platforms.MustParse("linux/amd64")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tgt := &bake.Target{Name: "app", CacheFrom: []*bake.CacheEntry{{Type: "gha", Attrs: c.attrs}}}
			got := cacheImports(tgt, p, false, "/w", func(k string) string { return c.env[k] })
			if c.want == nil {
				if len(got) != 0 {
					t.Fatalf("want the entry dropped, got %v", got)
				}
				return
			}
			if len(got) != 1 {
				t.Fatalf("got %v", got)
			}
			if d := cmp.Diff(c.want, got[0].Attrs); d != "" {
				t.Errorf("attrs (-want +got):\n%s", d)
			}
		})
	}
}

func noEnv(string) string { return "" }

// fakeCacheRegistry records MergeCache calls and fails those of refs in
// fail.
type fakeCacheRegistry struct {
	calls []string
	fail  map[string]bool
}

func (f *fakeCacheRegistry) PushIndex(context.Context, []string, []oci.Manifest, map[string]string) (ocispec.Descriptor, error) {
	return ocispec.Descriptor{}, errors.New("not expected")
}

func (f *fakeCacheRegistry) MergeCache(_ context.Context, ref string, parts []string) (ocispec.Descriptor, error) {
	f.calls = append(f.calls, ref+" <- "+strings.Join(parts, " "))
	if f.fail[ref] {
		return ocispec.Descriptor{}, errors.New("registry said no")
	}
	return ocispec.Descriptor{Digest: "sha256:x"}, nil
}

// The merge node joins each registry cache-to from the per-platform refs
// the solves exported; a failure fails it unless ignore-error=true.
func TestMergerMergesRegistryCaches(t *testing.T) {
	tgt := &bake.Target{Name: "app", Platforms: []string{"linux/amd64", "linux/arm/v7"}, CacheTo: []*bake.CacheEntry{
		{Type: "registry", Attrs: map[string]string{"ref": "r.test/app:cache"}},
		{Type: "local", Attrs: map[string]string{"dest": "c"}},
		{Type: "registry", Attrs: map[string]string{"ref": "r.test/app", "ignore-error": "true"}},
		{Type: "registry", Attrs: map[string]string{"ref": "r.test/off", "disabled": "true"}},
	}}
	n := &plan.Node{ID: "app#index", Kind: plan.KindMerge, Merge: &plan.Merge{Target: tgt,
		Platforms: []string{"linux/amd64", "linux/arm/v7"}, Solves: []string{"app@linux/amd64", "app@linux/arm/v7"}}}
	reg := &fakeCacheRegistry{fail: map[string]bool{"r.test/app": true}}
	if _, err := (&Merger{Registry: reg}).Merge(context.Background(), n, []*Result{{}, {}}); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"r.test/app:cache <- r.test/app:cache-linux-amd64 r.test/app:cache-linux-arm-v7",
		"r.test/app <- r.test/app:cache-linux-amd64 r.test/app:cache-linux-arm-v7",
	}
	if d := cmp.Diff(want, reg.calls); d != "" {
		t.Errorf("calls (-want +got):\n%s", d)
	}

	reg = &fakeCacheRegistry{fail: map[string]bool{"r.test/app:cache": true}}
	_, err := (&Merger{Registry: reg}).Merge(context.Background(), n, []*Result{{}, {}})
	if err == nil || err.Error() != "cache-to type=registry,ref=r.test/app:cache: registry said no" {
		t.Errorf("err = %v", err)
	}
}
