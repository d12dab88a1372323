package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/executor/executortest"
)

// The metadata file has the keys buildx writes for the same build
// (compared with buildx v0.38.2 bake on this stack: the same key sets,
// plus xbake.platforms): buildx.build.ref and buildx.build.provenance per
// target, per platform for a multi-platform one, and with
// BUILDX_METADATA_WARNINGS the Dockerfile's warnings once each.
// BUILDX_METADATA_PROVENANCE chooses min, max or none.
func TestRunMetadataKeysAsBuildx(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := env.Repo(t)
	writeFile(t, filepath.Join(dir, "Dockerfile"), "frOM "+env.Registry+"/xbake/busybox as base\nRUN echo "+repo+" > /id\nfrom base\ncOpy Dockerfile /\n")
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "single" {
  tags = ["`+repo+`/single:v1"]
  output = ["type=registry"]
}
target "multi" {
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["`+repo+`/multi:v1"]
  output = ["type=registry"]
}
group "default" { targets = ["single", "multi"] }
`)
	for _, mode := range []string{"", "max", "disabled"} {
		vars := map[string]string{"BUILDX_METADATA_WARNINGS": "true", "BUILDX_METADATA_PROVENANCE": mode}
		code, out := cliRun(t, dir, vars, "--progress=quiet", "--metadata-file", "md.json")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		dt, err := os.ReadFile(filepath.Join(dir, "md.json"))
		if err != nil {
			t.Fatal(err)
		}
		var md map[string]json.RawMessage
		if err := json.Unmarshal(dt, &md); err != nil {
			t.Fatal(err)
		}
		var warns []map[string]any
		if err := json.Unmarshal(md["buildx.build.warnings"], &warns); err != nil || len(warns) != 3 {
			t.Errorf("mode %q: %d warnings, want the Dockerfile's 3 casing warnings once each: %v", mode, len(warns), err)
		}
		prov := map[string][]string{
			"single": {"buildx.build.provenance"},
			"multi":  {"buildx.build.provenance/linux/amd64", "buildx.build.provenance/linux/arm64"},
		}
		for _, target := range []string{"single", "multi"} {
			var m map[string]any
			if err := json.Unmarshal(md[target], &m); err != nil {
				t.Fatalf("%s: %v", target, err)
			}
			want := []string{"buildx.build.ref", "containerimage.descriptor", "containerimage.digest", "image.name", "xbake.platforms"}
			if mode != "disabled" {
				want = append(want, prov[target]...)
			}
			slices.Sort(want)
			var got []string
			for k := range m {
				got = append(got, k)
			}
			slices.Sort(got)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("mode %q, %s keys (-want +got):\n%s", mode, target, d)
			}
			if ref, _ := m["buildx.build.ref"].(string); !strings.HasPrefix(ref, "xbake/buildkit/") {
				t.Errorf("%s: buildx.build.ref = %q", target, m["buildx.build.ref"])
			}
			// Each platform names the node that built it.
			plats, _ := m["xbake.platforms"].(map[string]any)
			for _, p := range slices.Sorted(maps.Keys(plats)) {
				if e, _ := plats[p].(map[string]any); e["xbake.builder"] != "buildkit" {
					t.Errorf("mode %q, %s %s: xbake.builder = %v", mode, target, p, e["xbake.builder"])
				}
			}
			if len(plats) == 0 {
				t.Errorf("mode %q, %s: no xbake.platforms", mode, target)
			}
			for _, k := range prov[target] {
				p, ok := m[k].(map[string]any)
				if mode == "disabled" {
					continue
				}
				_, hasMeta := p["metadata"]
				if !ok || p["buildType"] != "https://mobyproject.org/buildkit@v1" || hasMeta != (mode == "max") {
					t.Errorf("mode %q, %s %s = %v", mode, target, k, m[k])
				}
			}
		}
	}
}
