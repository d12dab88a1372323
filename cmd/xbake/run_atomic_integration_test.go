package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// --atomic on the real registry: a run where one target fails leaves the
// tags of every other target where they were (a multi-platform index and
// a single-platform image), exits 1 and says why; the same run without
// --atomic moves them.
func TestRunAtomic(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := env.Repo(t)
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
variable "V" { default = "1" }
target "_base" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nARG V\nRUN echo $V > /v\n"
  args = { V = V }
  output = ["type=registry"]
}
target "multi" {
  inherits = ["_base"]
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["`+repo+`/multi:v1"]
}
target "single" {
  inherits = ["_base"]
  tags = ["`+repo+`/single:v1"]
}
target "bad" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN exit 3\n"
  tags = ["`+repo+`/bad:v1"]
  output = ["type=registry"]
}
group "good" { targets = ["multi", "single"] }
group "all" { targets = ["multi", "single", "bad"] }
`)
	tags := []string{repo + "/multi:v1", repo + "/single:v1"}
	digests := func() []digest.Digest {
		var out []digest.Digest
		for _, tag := range tags {
			in, err := oci.NewClient().Inspect(t.Context(), tag)
			if err != nil {
				t.Fatalf("%s: %v", tag, err)
			}
			out = append(out, in.Digest)
		}
		return out
	}

	if code, out := cliRun(t, dir, map[string]string{"V": "1"}, "good", "--progress=quiet", "--atomic"); code != 0 {
		t.Fatalf("first run: exit %d\n%s", code, out)
	}
	before := digests()

	code, out := cliRun(t, dir, map[string]string{"V": "2"}, "all", "--progress=quiet", "--atomic", "--keep-going")
	if code != 1 {
		t.Fatalf("atomic run with a failure: exit %d, want 1\n%s", code, out)
	}
	if got := digests(); got[0] != before[0] || got[1] != before[1] {
		t.Errorf("--atomic moved tags: %v, were %v\n%s", got, before, out)
	}
	for _, want := range []string{"bad@linux/amd64", "multi#index", "single#index", "not published (--atomic): bad@linux/amd64 did not succeed"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}

	// The control: without --atomic the built targets publish.
	if code, out := cliRun(t, dir, map[string]string{"V": "2"}, "all", "--progress=quiet", "--keep-going"); code != 1 {
		t.Fatalf("run without --atomic: exit %d, want 1\n%s", code, out)
	}
	if got := digests(); got[0] == before[0] || got[1] == before[1] {
		t.Errorf("without --atomic the tags should have moved: %v, were %v", got, before)
	}
}
