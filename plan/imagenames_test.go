package plan_test

import (
	"slices"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// The names an image output pushes to: its name attribute, else the
// target's tags; either may hold several names separated by commas, as
// BuildKit's exporter splits them.
func TestImageNames(t *testing.T) {
	tgt := &bake.Target{Tags: []string{"r/a:1,r/a:2", "r/b:1"}}
	for _, tc := range []struct {
		out  *bake.Export
		want []string
	}{
		{&bake.Export{Type: "registry"}, []string{"r/a:1", "r/a:2", "r/b:1"}},
		{&bake.Export{Type: "image", Attrs: map[string]string{"name": "r/c:1,r/c:2"}}, []string{"r/c:1", "r/c:2"}},
	} {
		if got := plan.ImageNames(tgt, tc.out); !slices.Equal(got, tc.want) {
			t.Errorf("ImageNames(%v) = %q, want %q", tc.out.Attrs, got, tc.want)
		}
	}
}
