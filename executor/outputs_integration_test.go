package executor_test

import (
	"archive/tar"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// tarFiles reads every regular file of a tarball (small test images).
func tarFiles(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := map[string][]byte{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			dt, _ := io.ReadAll(tr)
			out[strings.TrimPrefix(h.Name, "./")] = dt
		}
	}
}

func TestIntegrationFileOutputs(t *testing.T) {
	r := newRun(t)
	plats := []string{"linux/arm64", "linux/arm/v7"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry),
		&bake.Export{Type: "oci", Dest: "out/app-oci.tar"},
		&bake.Export{Type: "tar", Dest: "out/app-fs.tar"},
		&bake.Export{Type: "docker", Dest: "out/app.tar"})
	tgt.Tags = []string{"example.test/app:1.0"}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}

	// type=oci: one layout, one index over both platforms.
	files := tarFiles(t, filepath.Join(r.dir, "out/app-oci.tar"))
	var root ocispec.Index
	if err := json.Unmarshal(files["index.json"], &root); err != nil || len(root.Manifests) == 0 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	var idx ocispec.Index
	blob := "blobs/sha256/" + root.Manifests[0].Digest.Encoded()
	if err := json.Unmarshal(files[blob], &idx); err != nil {
		t.Fatalf("%s: %v", blob, err)
	}
	var got []string
	for _, m := range idx.Manifests {
		if m.Platform != nil && m.Platform.OS != "unknown" {
			got = append(got, m.Platform.OS+"/"+m.Platform.Architecture+strings.TrimSuffix("/"+m.Platform.Variant, "/"))
		}
	}
	if !slices.Equal(got, plats) {
		t.Errorf("oci index platforms = %v, want %v", got, plats)
	}

	// type=tar: one folder per platform.
	files = tarFiles(t, filepath.Join(r.dir, "out/app-fs.tar"))
	for dir, want := range map[string]string{"linux_arm64": "aarch64", "linux_arm_v7": "armv7l"} {
		if got := strings.TrimSpace(string(files[dir+"/arch"])); got != want {
			t.Errorf("tar %s/arch = %q, want %q", dir, got, want)
		}
	}

	// type=docker: one tarball per platform, with its own config.
	for file, want := range map[string][2]string{"out/app-linux-arm64.tar": {"arm64", "v8"}, "out/app-linux-arm-v7.tar": {"arm", "v7"}} {
		files := tarFiles(t, filepath.Join(r.dir, file))
		var man []struct{ Config string }
		if err := json.Unmarshal(files["manifest.json"], &man); err != nil || len(man) != 1 {
			t.Fatalf("%s manifest.json: %v", file, err)
		}
		var cfg ocispec.Image
		if err := json.Unmarshal(files[man[0].Config], &cfg); err != nil {
			t.Fatalf("%s config: %v", file, err)
		}
		if cfg.Architecture != want[0] || (want[0] == "arm" && cfg.Variant != want[1]) {
			t.Errorf("%s: config %s/%s, want %s/%s", file, cfg.Architecture, cfg.Variant, want[0], want[1])
		}
	}
}

// --load without a docker engine fails before anything is built, and
// says what to do instead.
func TestIntegrationLoadWithoutEngine(t *testing.T) {
	r := newRun(t)
	r.bkOpt.DockerHost = "unix://" + filepath.Join(t.TempDir(), "no-docker.sock")
	tgt := r.target("app", nil, archDockerfile(r.env.Registry), &bake.Export{Type: "docker"})
	_, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: tgt}))
	if err == nil || !strings.Contains(err.Error(), "no docker engine answers") || !strings.Contains(err.Error(), "dest=") {
		t.Fatalf("err = %v", err)
	}
}

// Independent solves run at the same time: 8 of `RUN sleep 2` take well
// under twice one (generous bound; this is the only timed assertion).
func TestIntegrationConcurrency(t *testing.T) {
	r := newRun(t)
	mk := func(n int, salt string) *executorPlan {
		var p executorPlan
		for i := range n {
			name := fmt.Sprintf("s%d", i)
			tgt := r.target(name, nil, fmt.Sprintf("FROM %s/xbake/busybox\nRUN echo %s-%d && sleep 2\n", r.env.Registry, salt, i))
			tgt.NoCache = ptr(true)
			p = append(p, executortest.PlanTarget{Name: name, Target: tgt})
		}
		return &p
	}
	salt := fmt.Sprint(time.Now().UnixNano())
	start := time.Now()
	if _, err := r.build(executortest.NewPlan(*mk(1, salt)...)); err != nil {
		t.Fatal(err)
	}
	one := time.Since(start)
	start = time.Now()
	if _, err := r.build(executortest.NewPlan(*mk(8, salt)...)); err != nil {
		t.Fatal(err)
	}
	eight := time.Since(start)
	t.Logf("one solve: %s, eight independent solves: %s", one, eight)
	if eight >= 2*one {
		t.Errorf("8 independent solves took %s, one took %s: they did not run concurrently", eight, one)
	}
}

// Pushing to the htpasswd registry uses the docker config's credentials,
// for BuildKit's per-platform pushes and for the index push alike.
func TestIntegrationAuthRegistry(t *testing.T) {
	r := newRun(t)
	cfgDir := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte(r.env.AuthUser + ":" + r.env.AuthPassword))
	cfg := fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, r.env.AuthRegistry, auth)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r.bkOpt.DockerConfig = cfgDir
	r.registry = oci.NewClient(oci.WithDockerConfig(cfgDir))
	repo := strings.Replace(r.env.Repo(t), r.env.Registry, r.env.AuthRegistry, 1)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry), &bake.Export{Type: "registry"})
	tgt.Tags = []string{repo + ":v1"}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	ins, err := oci.NewClient(oci.WithDockerConfig(cfgDir)).Inspect(context.Background(), repo+":v1")
	if err != nil || len(ins.Manifests) != 2 {
		t.Fatalf("inspect: %v %+v", err, ins)
	}
	// Without credentials the registry refuses.
	if _, err := oci.NewClient(oci.WithDockerConfig(t.TempDir())).Inspect(context.Background(), repo+":v1"); err == nil {
		t.Error("the auth registry answered without credentials")
	}
	var _ = executor.StatusDone
}

// The solves of a run share the docker config's credentials and their
// cache: a credential helper runs once per registry, not once per solve.
func TestIntegrationCredentialHelperOncePerRun(t *testing.T) {
	r := newRun(t)
	bin, cfgDir := t.TempDir(), t.TempDir()
	calls := filepath.Join(bin, "calls")
	helper := fmt.Sprintf("#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread host\necho \"$host\" >> %s\nprintf '{\"ServerURL\":\"%%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' \"$host\"\n",
		calls, r.env.AuthUser, r.env.AuthPassword)
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-xbaketest"), []byte(helper), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	cfg := fmt.Sprintf(`{"credHelpers": {%q: "xbaketest"}}`, r.env.AuthRegistry)
	if err := os.WriteFile(filepath.Join(cfgDir, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	r.bkOpt.DockerConfig = cfgDir
	repo := strings.Replace(r.env.Repo(t), r.env.Registry, r.env.AuthRegistry, 1)
	var targets []executortest.PlanTarget
	for _, name := range []string{"one", "two", "three"} {
		tgt := r.target(name, nil, "FROM "+r.env.Registry+"/xbake/busybox\nRUN echo "+name+" > /name\n", &bake.Export{Type: "registry"})
		tgt.Tags = []string{repo + ":" + name}
		targets = append(targets, executortest.PlanTarget{Name: name, Target: tgt})
	}
	if _, err := r.build(executortest.NewPlan(targets...)); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	dt, err := os.ReadFile(calls)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Fields(string(dt)); len(got) != 1 || got[0] != r.env.AuthRegistry {
		t.Errorf("the credential helper ran for %q; want once, for %s", got, r.env.AuthRegistry)
	}
}
