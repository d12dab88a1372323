package bake_test

import (
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// TestUnknownTargetSuggestions: a requested name that is neither a target
// nor a group is matched against both, the groups that matrix labels
// make included.
func TestUnknownTargetSuggestions(t *testing.T) {
	src := `target "app" {
  matrix = { v = ["1", "2"] }
  name   = "app-${v}"
}
group "release" { targets = ["app"] }
`
	files, _, diags := xhcl.Parse([]xhcl.File{{Name: "docker-bake.hcl", Data: []byte(src)}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := bake.Load(files, bake.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	for name, want := range map[string]string{"appp": `Did you mean "app"?`, "relase": `Did you mean "release"?`, "app-3": `Did you mean "app-1"?`} {
		_, diags := cfg.Resolve(bake.Request{Targets: []string{name}})
		if len(diags) != 1 || diags[0].Summary != "Unknown target" || !strings.HasSuffix(diags[0].Detail, want) {
			t.Errorf("%s: %v, want ...%s", name, diags, want)
		}
	}
}
