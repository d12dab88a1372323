package executor_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// stdoutFiles reads the tarball a run wrote to its stdout.
func stdoutFiles(t *testing.T, r *run) map[string][]byte {
	t.Helper()
	if r.stdout.Len() == 0 {
		t.Fatal("nothing was written to stdout")
	}
	p := filepath.Join(t.TempDir(), "stdout.tar")
	if err := os.WriteFile(p, r.stdout.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return tarFiles(t, p)
}

// dest=- writes the tarball to standard output, as buildx does, and no
// file named "-": for one platform as BuildKit streams it, for several
// platforms as one merged tarball.
func TestIntegrationOutputToStdout(t *testing.T) {
	t.Run("tar", func(t *testing.T) {
		r := newRun(t)
		tgt := r.target("app", nil, archDockerfile(r.env.Registry), &bake.Export{Type: "tar", Dest: "-"})
		if _, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: tgt})); err != nil {
			t.Fatalf("%v\n%s", err, r.output())
		}
		if got := strings.TrimSpace(string(stdoutFiles(t, r)["arch"])); got != "x86_64" {
			t.Errorf("arch in the tarball on stdout = %q, want x86_64", got)
		}
		if _, err := os.Stat(filepath.Join(r.dir, "-")); err == nil {
			t.Error(`a file named "-" was written`)
		}
	})
	t.Run("docker", func(t *testing.T) {
		r := newRun(t)
		tgt := r.target("app", nil, archDockerfile(r.env.Registry), &bake.Export{Type: "docker", Dest: "-"})
		tgt.Tags = []string{"example.test/app:1.0"}
		if _, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: tgt})); err != nil {
			t.Fatalf("%v\n%s", err, r.output())
		}
		var man []struct{ RepoTags []string }
		if err := json.Unmarshal(stdoutFiles(t, r)["manifest.json"], &man); err != nil || len(man) != 1 || !slices.Equal(man[0].RepoTags, tgt.Tags) {
			t.Errorf("manifest.json on stdout: %+v, %v", man, err)
		}
	})
	t.Run("merged oci", func(t *testing.T) {
		r := newRun(t)
		plats := []string{"linux/amd64", "linux/arm64"}
		tgt := r.target("app", plats, archDockerfile(r.env.Registry), &bake.Export{Type: "oci", Dest: "-"})
		if _, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})); err != nil {
			t.Fatalf("%v\n%s", err, r.output())
		}
		files := stdoutFiles(t, r)
		var root, idx ocispec.Index
		if err := json.Unmarshal(files["index.json"], &root); err != nil || len(root.Manifests) != 1 {
			t.Fatalf("index.json: %v %s", err, files["index.json"])
		}
		if err := json.Unmarshal(files["blobs/sha256/"+root.Manifests[0].Digest.Encoded()], &idx); err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, m := range idx.Manifests {
			got = append(got, m.Platform.OS+"/"+m.Platform.Architecture)
		}
		if !slices.Equal(got, plats) {
			t.Errorf("one index over %v, want %v", got, plats)
		}
	})
}

// A platform that fails leaves every file of its target as it was: the
// per-platform docker tarballs of the other platforms, built fine, are
// not moved into place, and the report does not say they were published.
func TestIntegrationFailedPlatformKeepsFiles(t *testing.T) {
	r := newRun(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	df := "FROM " + r.env.Registry + "/xbake/busybox\nARG V\nRUN echo $V > /v && if [ \"$V\" = bad ] && [ \"$(uname -m)\" = aarch64 ]; then exit 3; fi\n"
	build := func(v string) (*executor.Report, error) {
		tgt := r.target("app", plats, df, &bake.Export{Type: "docker", Dest: "out/app.tar"})
		tgt.Tags = []string{"example.test/app:" + v}
		tgt.Args = map[string]*string{"V": ptr(v)}
		return r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Target: tgt}))
	}
	files := []string{filepath.Join(r.dir, "out/app-linux-amd64.tar"), filepath.Join(r.dir, "out/app-linux-arm64.tar")}
	if _, err := build("good"); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	var before [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		before = append(before, b)
	}

	// With --keep-going linux/amd64 is always built (fail-fast could cancel
	// it before it ends, when arm64 fails first), and its file still waits
	// for arm64's.
	r.exec.KeepGoing = true
	rep, err := build("bad")
	if err == nil {
		t.Fatal("the bad build succeeded")
	}
	mustStatus(t, rep, map[string]executor.Status{"app@linux/arm64": executor.StatusFailed})
	if st := statuses(rep)["app@linux/amd64"]; st != executor.StatusDone && st != executor.StatusCached {
		t.Fatalf("app@linux/amd64: %s, want it built (done or cached)", st)
	}
	for i, f := range files {
		if b, _ := os.ReadFile(f); !bytes.Equal(b, before[i]) {
			t.Errorf("%s changed although linux/arm64 failed", f)
		}
	}
	if left, _ := filepath.Glob(filepath.Join(r.dir, "out", ".*")); len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	for _, nr := range rep.Nodes {
		if nr.Result != nil && len(nr.Result.Published) > 0 {
			t.Errorf("%s reports %v as published", nr.Node.ID, nr.Result.Published)
		}
	}
}
