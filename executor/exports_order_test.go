package executor

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"
)

// BuildKit's response describes the last exporter: the pushes by digest
// go last, as one exporter for every repository.
func TestOrderExports(t *testing.T) {
	img := func(target, name string, byDigest bool) *export {
		return &export{target: target, byDigest: byDigest, entry: client.ExportEntry{Type: "image", Attrs: map[string]string{"name": name}}}
	}
	exps := orderExports([]*export{
		img("a", "r.test/a", true),
		img("b", "r.test/b,r.test/a", true),
		img("single", "r.test/single:v1", false),
		{target: "local", entry: client.ExportEntry{Type: "local"}, dir: "out"},
	})
	type row struct {
		Target, Name   string
		Digest, Shared bool
	}
	var got []row
	for _, e := range exps {
		got = append(got, row{e.target, e.entry.Attrs["name"], e.byDigest, e.shared})
	}
	want := []row{
		{"single", "r.test/single:v1", false, false},
		{"local", "", false, false},
		{"a", "r.test/a,r.test/b", true, false},
		{"b", "r.test/b,r.test/a", true, true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
