package executor

import (
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
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

// With --atomic a single-platform target has a merge node: its push goes
// by digest to the repositories of its tags, and the merge node tags it.
func TestOrderExportsAtomicSinglePlatform(t *testing.T) {
	tgt := &bake.Target{Name: "one", Tags: []string{"r.test/one:v1"}, Outputs: []*bake.Export{{Type: "registry"}}}
	for _, role := range []plan.Role{plan.RoleMerge, plan.RoleExport} {
		n := solveNodeFor(plan.Request{Atomic: role == plan.RoleMerge}, tgt, "linux/amd64", role)
		exps, err := exportsFor(n, "/tmp/run")
		if err != nil {
			t.Fatal(err)
		}
		exps = orderExports(exps)
		a := exps[0].entry.Attrs
		got := []string{a["name"], a["push-by-digest"], strconv.FormatBool(exps[0].byDigest)}
		want := []string{"r.test/one:v1", "", "false"}
		if role == plan.RoleMerge {
			want = []string{"r.test/one", "true", "true"}
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", role, d)
		}
	}
}
