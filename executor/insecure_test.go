package executor

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

func TestInsecureRegistries(t *testing.T) {
	merge := func(t *bake.Target) *plan.Node {
		return &plan.Node{ID: t.Name + "#index", Kind: plan.KindMerge, Merge: &plan.Merge{Target: t}}
	}
	p := &plan.Plan{Nodes: []*plan.Node{
		merge(&bake.Target{Name: "a", Tags: []string{"reg.internal:5000/a:v1", "docker.io/org/a:v1"},
			Outputs: []*bake.Export{{Type: "registry", Attrs: map[string]string{"registry.insecure": "true"}}}}),
		merge(&bake.Target{Name: "b", Tags: []string{"secure.example/b"},
			Outputs: []*bake.Export{{Type: "image", Attrs: map[string]string{"push": "true", "name": "other.internal/b", "registry.insecure": "1"}}},
			CacheTo: []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": "cache.internal/b:c", "registry.insecure": "true"}}}}),
		merge(&bake.Target{Name: "c", Tags: []string{"tls.example/c"}, Outputs: []*bake.Export{{Type: "registry"}},
			CacheTo: []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": "tls.example/c:cache"}}}}),
	}}
	want := []string{"cache.internal", "docker.io", "other.internal", "reg.internal:5000"}
	if d := cmp.Diff(want, InsecureRegistries(p)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}

	err := explainInsecure(errors.New(`Get "https://reg:5000/v2/": http: server gave HTTP response to HTTPS client`))
	if !strings.HasSuffix(err.Error(), "add registry.insecure=true to the output (xbake's own registry calls do not read the builder's buildkitd.toml)") {
		t.Errorf("err = %v", err)
	}
}
