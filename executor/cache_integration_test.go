package executor_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// cache-to type=local writes one cache per platform (per-platform solves
// would overwrite a shared one), and cache-from reads the same folders.
func TestIntegrationLocalCache(t *testing.T) {
	r := newRun(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry))
	tgt.CacheTo = []*bake.CacheEntry{{Type: "local", Attrs: map[string]string{"dest": "cache", "mode": "max"}}}
	tgt.CacheFrom = []*bake.CacheEntry{{Type: "local", Attrs: map[string]string{"src": "cache"}}}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	for _, pl := range []string{"linux-amd64", "linux-arm64"} {
		if _, err := os.Stat(filepath.Join(r.dir, "cache", pl, "index.json")); err != nil {
			t.Errorf("cache for %s: %v", pl, err)
		}
	}
	// A second run imports from those folders (BuildKit would fail on a
	// cache-from it cannot read).
	if _, err := r.build(p); err != nil {
		t.Fatalf("second run: %v", err)
	}
}

// cache-to/cache-from type=gha, filled from the runner's variables as
// buildx does, against a stand-in of the Actions cache service: the first
// run writes the cache, a second run on a fresh daemon (no local cache)
// takes every RUN step from it.
func TestIntegrationGHACache(t *testing.T) {
	r := newRun(t)
	gha := executortest.StartActionsCache(t)
	r.bkOpt.Getenv = func(k string) string {
		return map[string]string{"ACTIONS_RUNTIME_TOKEN": gha.Token, "ACTIONS_CACHE_URL": gha.URL}[k]
	}
	df := fmt.Sprintf("FROM %s/xbake/busybox\nRUN echo %s > /a\nRUN cat /a /a > /b\n", r.env.Registry, r.env.Repo(t))
	tgt := r.target("app", nil, df)
	tgt.CacheTo = []*bake.CacheEntry{{Type: "gha", Attrs: map[string]string{"mode": "max"}}}
	tgt.CacheFrom = []*bake.CacheEntry{{Type: "gha"}}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: tgt})
	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	first := rep.Nodes[0]
	keys := gha.Keys()
	t.Logf("first run: %d/%d steps cached; the service holds %v", first.Cached, first.Steps, keys)
	if first.Cached > 1 {
		t.Fatalf("first run: %d/%d steps cached; its RUN steps are new", first.Cached, first.Steps)
	}
	if !slices.ContainsFunc(keys, func(k string) bool { return strings.HasPrefix(k, "index-buildkit-") }) {
		t.Fatalf("no cache index was written: %v", keys)
	}

	r.builders = []executor.BuilderConfig{{Name: "fresh", Endpoint: executortest.StartDaemon(t, "linux/amd64")}}
	hits := gha.Hits()
	rep, err = r.build(p)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, r.output())
	}
	second := rep.Nodes[0]
	t.Logf("second run, fresh daemon: %d/%d steps cached, %d lookups hit", second.Cached, second.Steps, gha.Hits()-hits)
	// Both RUN steps come from gha, so the fresh daemon never pulls the
	// FROM image's layers: it only resolves it, which counts as cached.
	if second.Steps != 3 || second.Cached != 3 {
		t.Errorf("second run: %d/%d steps cached, want all 3 (the RUN steps from the gha cache, FROM only resolved)", second.Cached, second.Steps)
	}
}
