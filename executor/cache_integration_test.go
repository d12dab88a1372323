package executor_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/xbake/xbake/bake"
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
