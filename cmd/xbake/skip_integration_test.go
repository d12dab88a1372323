package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// --skip-unchanged on the real stack: a second run with other tags builds
// nothing and points them at exactly the images of the first; a rebuild
// from the same inputs without the cache (reproducible: SOURCE_DATE_EPOCH
// and rewrite-timestamp) pushes those very indexes; a changed file
// rebuilds its target only, and --plan says what changed.
func TestIntegrationSkipUnchanged(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := env.Repo(t)
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
variable "TAG" {}
target "base" {
  context   = "base"
  platforms = ["linux/amd64", "linux/arm64"]
}
target "app" {
  context   = "app"
  contexts  = { base = "target:base" }
  platforms = ["linux/amd64", "linux/arm64"]
  tags      = ["`+repo+`/app:${TAG}"]
  output    = ["type=registry,rewrite-timestamp=true"]
}
target "svc" {
  context   = "svc"
  contexts  = { base = "target:base" }
  platforms = ["linux/amd64", "linux/arm64"]
  tags      = ["`+repo+`/svc:${TAG}"]
  output    = ["type=registry"]
}
target "tool" {
  context = "tool"
  tags    = ["`+repo+`/tool:${TAG}"]
  output  = ["type=registry,rewrite-timestamp=true"]
}
`)
	for name, content := range map[string]string{
		"base/Dockerfile": "FROM " + env.Registry + "/xbake/busybox\nCOPY lib.sh /lib.sh\n",
		"base/lib.sh":     "echo lib\n",
		"app/Dockerfile":  "FROM base\nCOPY main.sh /main.sh\n",
		"app/main.sh":     "echo app\n",
		"tool/Dockerfile": "FROM " + env.Registry + "/xbake/busybox\nCOPY t.sh /t.sh\n",
		"svc/Dockerfile":  "FROM base\nCOPY s.sh /s.sh\n",
		"svc/s.sh":        "echo svc\n",
		"tool/t.sh":       "echo tool\n",
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), content)
	}
	// Provenance records the build itself (its time, its ID): a build
	// with it is not reproducible, so the rebuild below could not match.
	vars := func(tag string) map[string]string {
		return map[string]string{"TAG": tag, "SOURCE_DATE_EPOCH": "1700000000", "BUILDX_NO_DEFAULT_ATTESTATIONS": "1"}
	}
	reg := oci.NewClient()
	ctx := context.Background()
	digestOf := func(ref string) string {
		t.Helper()
		in, err := reg.Inspect(ctx, ref)
		if err != nil {
			t.Fatalf("inspect %s: %v", ref, err)
		}
		return in.Digest.String()
	}
	build := func(tag string, args ...string) string {
		t.Helper()
		code, out := cliRun(t, dir, vars(tag), append([]string{"app", "svc", "tool", "--progress=quiet"}, args...)...)
		if code != 0 {
			t.Fatalf("xbake %s: exit %d\n%s", strings.Join(args, " "), code, out)
		}
		return out.String()
	}

	out := build("a", "--skip-unchanged")
	if !rowSays(out, "app#index ", "done") || rowSays(out, "tool@linux/amd64 ", "unchanged") {
		t.Fatalf("the first run found images already:\n%s", out)
	}
	app, tool := digestOf(repo+"/app:a"), digestOf(repo+"/tool:a")
	// What was pushed records its inputs.
	in, err := reg.Inspect(ctx, repo+"/app:a")
	if err != nil || len(in.Manifests) < 2 || in.Manifests[0].Attestation {
		t.Fatalf("app:a: %v %+v", err, in)
	}
	m, err := reg.Inspect(ctx, in.Manifests[0].Name)
	if err != nil || !strings.HasPrefix(m.Annotations["io.github.xbake.inputs"], "sha256:") || m.Annotations["io.github.xbake.inputs.parts"] == "" {
		t.Errorf("app:a's %s image records no inputs: %v %v", in.Manifests[0].Platform, err, m)
	}

	// Nothing changed but the files' times: no solve, the new tags are
	// the same images.
	later := time.Now().Add(time.Hour)
	if err := filepath.WalkDir(dir, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chtimes(p, later, later)
	}); err != nil {
		t.Fatal(err)
	}
	out = build("b", "--skip-unchanged")
	for _, want := range []string{"app#index ", "tool#index ", "app@linux/arm64 ", "base@linux/amd64 "} {
		if !rowSays(out, want, "unchanged") {
			t.Errorf("%s is not unchanged:\n%s", want, out)
		}
	}
	if got := digestOf(repo + "/app:b"); got != app {
		t.Errorf("app:b is %s, app:a %s", got, app)
	}
	if got := digestOf(repo + "/tool:b"); got != tool {
		t.Errorf("tool:b is %s, tool:a %s", got, tool)
	}

	// A rebuild from scratch, of files with other times, gives the same
	// indexes: a skip leaves the tags where a build would have put them.
	build("c", "--no-cache")
	if got := digestOf(repo + "/app:c"); got != app {
		t.Errorf("rebuilt app:c is %s, the skipped app:b %s", got, app)
	}
	if got := digestOf(repo + "/tool:c"); got != tool {
		t.Errorf("rebuilt tool:c is %s, the skipped tool:b %s", got, tool)
	}

	// One file of app changes: app is built, tool and svc are not. app's
	// output rewrites timestamps, so base is built for it, as from
	// scratch (a layer read from a registry is not rewritten).
	writeFile(t, filepath.Join(dir, "app/main.sh"), "echo app 2\n")
	code, plan := cliRun(t, dir, vars("a"), "app", "svc", "tool", "--plan", "--skip-unchanged")
	if code != 0 {
		t.Fatalf("--plan: exit %d\n%s", code, plan)
	}
	for _, want := range []string{`"unchanged": 3,`, `"changed": [` + "\n" + `        "context"` + "\n", `"reuse": "` + repo + `/tool@` + tool + `"`} {
		if !strings.Contains(plan.String(), want) {
			t.Errorf("--plan lacks %q:\n%s", want, plan)
		}
	}
	// With the builder's platforms the plan reads Dockerfiles and checks
	// base images: only those of the solves that run (base for app).
	code, plan = cliRun(t, dir, vars("a"), "app", "svc", "tool", "--plan", "--skip-unchanged", "--builder-platforms", "linux/amd64")
	if code != 0 {
		t.Fatalf("--plan --builder-platforms: exit %d\n%s", code, plan)
	}
	if !strings.Contains(plan.String(), `"from": [`+"\n"+`        "base/Dockerfile:1"`) || !strings.Contains(plan.String(), `"check": "ok"`) ||
		strings.Contains(plan.String(), "tool/Dockerfile") || strings.Contains(plan.String(), "svc/Dockerfile") {
		t.Errorf("--plan checks the images of other solves than base's:\n%s", plan)
	}
	out = build("d", "--skip-unchanged")
	if !rowSays(out, "app#index ", "done") || !rowSays(out, "tool#index ", "unchanged") || !rowSays(out, "svc#index ", "unchanged") ||
		rowSays(out, "base@linux/arm64 ", "unchanged") {
		t.Errorf("want app and base built, tool and svc unchanged:\n%s", out)
	}
	appD := digestOf(repo + "/app:d")
	if appD == app || digestOf(repo+"/tool:d") != tool {
		t.Errorf("app:d %s (was %s), tool:d %s (was %s)", appD, app, digestOf(repo+"/tool:d"), tool)
	}
	build("e", "--no-cache")
	if got := digestOf(repo + "/app:e"); got != appD {
		t.Errorf("rebuilt app:e is %s, app:d %s", got, appD)
	}

	// One file of svc changes: svc is built on base's published result,
	// which an earlier run pushed; base is not built.
	writeFile(t, filepath.Join(dir, "svc/s.sh"), "echo svc 2\n")
	out = build("f", "--skip-unchanged")
	if !rowSays(out, "svc#index ", "done") || !rowSays(out, "app#index ", "unchanged") || !rowSays(out, "base@linux/arm64 ", "unchanged") {
		t.Errorf("want svc built on base's published result:\n%s", out)
	}
	if tags := tagList(t, repo+"/app"); !slices.ContainsFunc(tags, func(s string) bool { return strings.HasPrefix(s, "xbake-result-") }) {
		t.Errorf("no record of base's result in app's repository: %q", tags)
	}
}

// tagList lists a repository's tags.
func tagList(t *testing.T, repo string) []string {
	t.Helper()
	resp, err := http.Get("http://" + strings.Replace(repo, "/", "/v2/", 1) + "/tags/list")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct{ Tags []string }
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	return list.Tags
}

// rowSays reports whether the summary row starting with prefix has status
// (NODE BUILDER STATUS ...).
func rowSays(out, prefix, status string) bool {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, prefix) {
			f := strings.Fields(line)
			return len(f) > 2 && f[2] == status
		}
	}
	return false
}
