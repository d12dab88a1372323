package executor_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// cacheDockerfile has a stage cross-compiled on the build platform (one
// step shared by every platform, one per target architecture) and a final
// stage that runs on the target platform: 4 cacheable steps per platform
// besides the two FROMs. unique makes the steps new to every daemon.
func cacheDockerfile(registry, unique string) string {
	return fmt.Sprintf(`FROM --platform=$BUILDPLATFORM %[1]s/xbake/busybox AS build
ARG TARGETARCH
RUN echo %[2]s > /common
RUN echo $TARGETARCH > /target
FROM %[1]s/xbake/busybox
COPY --from=build /common /target /
RUN uname -m > /uname
`, registry, unique)
}

// A registry cache of a multi-platform target is one cache under the ref
// the user wrote, readable by every tool in both directions:
//
//  1. xbake writes it (per-platform solves, then the merge node joins
//     their caches under :buildcache);
//  2. xbake on a fresh daemon reads it: every cacheable step is a hit;
//  3. one multi-platform solve on a fresh daemon importing only
//     :buildcache (what buildx does; here buildctl) hits every step;
//  4. a cache written by one multi-platform solve (buildx's) is read by
//     xbake on a fresh daemon: every step is a hit.
func TestIntegrationRegistryCacheInterop(t *testing.T) {
	r := newRun(t)
	buildctl := buildctlPath(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	repo := r.env.Repo(t)
	df := cacheDockerfile(r.env.Registry, repo)
	tgt := r.target("app", plats, df, &bake.Export{Type: "cacheonly"})
	tgt.CacheTo = []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": repo + ":buildcache", "mode": "max"}}}
	tgt.CacheFrom = []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": repo + ":buildcache"}}}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})

	// 1. Write.
	if _, err := r.build(p); err != nil {
		t.Fatalf("first run: %v\n%s", err, r.output())
	}
	ins, err := oci.NewClient().Inspect(t.Context(), repo+":buildcache")
	if err != nil {
		t.Fatalf("the named cache was not written: %v", err)
	}
	t.Logf("%s:buildcache is a %s", repo, ins.MediaType)

	// 2. xbake reads it on a fresh daemon.
	r.builders = []executor.BuilderConfig{{Name: "fresh", Endpoint: freshDaemon(t)}}
	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("second run: %v\n%s", err, r.output())
	}
	var steps, cached int
	for _, nr := range rep.Nodes {
		if res := nr; res.Result != nil && nr.Node.Solve != nil {
			t.Logf("xbake -> xbake, fresh daemon: %s %d/%d steps cached", nr.Node.ID, res.Cached, res.Steps)
			steps, cached = steps+res.Steps, cached+res.Cached
		}
	}
	// arm64: 6 steps, amd64: 5 (its two FROMs are one image). Every
	// other step comes from the cache, so the FROMs are only resolved,
	// never pulled, and count as cached too.
	if steps != 11 || cached != 11 {
		t.Errorf("xbake -> xbake: %d/%d steps cached, want 11/11", cached, steps)
	}

	// 3. One multi-platform solve reads the named cache alone.
	st := buildctlBuild(t, buildctl, freshDaemon(t), r.dir, "app.Dockerfile", plats,
		"--import-cache", "type=registry,ref="+repo+":buildcache")
	t.Logf("xbake -> one multi-platform solve (buildx), fresh daemon: %d/%d steps cached", st.cached, st.steps)
	// One solve names each platform's steps apart: 6 per platform.
	if st.steps != 12 || st.cached != 8 {
		t.Errorf("xbake -> buildx: %d/%d steps cached, want 8/12 (every step but the FROMs)", st.cached, st.steps)
	}

	// 4. xbake reads a cache that one multi-platform solve wrote.
	other := r.env.Repo(t)
	buildctlBuild(t, buildctl, r.env.BuildKitHost, r.dir, "app.Dockerfile", plats,
		"--export-cache", "type=registry,ref="+other+":buildcache,mode=max")
	tgt.CacheFrom = []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": other + ":buildcache"}}}
	tgt.CacheTo = nil
	r.builders = []executor.BuilderConfig{{Name: "fresh", Endpoint: freshDaemon(t)}}
	rep, err = r.build(p)
	if err != nil {
		t.Fatalf("fourth run: %v\n%s", err, r.output())
	}
	steps, cached = 0, 0
	for _, nr := range rep.Nodes {
		if res := nr; res.Result != nil && nr.Node.Solve != nil {
			steps, cached = steps+res.Steps, cached+res.Cached
		}
	}
	t.Logf("buildx -> xbake, fresh daemon: %d/%d steps cached", cached, steps)
	if steps != 11 || cached != 11 {
		t.Errorf("buildx -> xbake: %d/%d steps cached, want 11/11", cached, steps)
	}
}

// freshDaemon starts a buildkitd with an empty root that runs amd64 and
// arm64 (through QEMU): nothing is cached locally.
func freshDaemon(t *testing.T) string {
	return executortest.StartDaemonAt(t, "linux/amd64", "", "--oci-worker-platform", "linux/arm64")
}

// buildctlPath is the stack's buildctl, next to its buildkitd.
func buildctlPath(t *testing.T) string {
	bin := os.Getenv("XBAKE_BUILDKITD")
	if bin == "" {
		bin = "/var/cache/xbake/buildkit-v0.34.2/bin/buildkitd"
	}
	bin = filepath.Join(filepath.Dir(bin), "buildctl")
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("buildctl is required in CI: %v", err)
		}
		t.Skipf("no buildctl: %v", err)
	}
	return bin
}

type stepCount struct{ steps, cached int }

// buildctlBuild builds dockerfile of dir for every platform in one solve,
// as buildx does, and counts its Dockerfile steps and the cached ones.
func buildctlBuild(t *testing.T, bin, addr, dir, dockerfile string, plats []string, extra ...string) stepCount {
	t.Helper()
	args := append([]string{"--addr", addr, "build", "--progress", "rawjson", "--frontend", "dockerfile.v0",
		"--local", "context=" + dir, "--local", "dockerfile=" + dir,
		"--opt", "filename=" + dockerfile, "--opt", "platform=" + strings.Join(plats, ",")}, extra...)
	cmd := exec.CommandContext(t.Context(), bin, args...)
	var out, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("buildctl %v: %v\n%s", args, err, stderr.String())
	}
	seen := map[string]bool{}
	sc := bufio.NewScanner(&stderr)
	sc.Buffer(nil, 16<<20)
	for sc.Scan() {
		var st client.SolveStatus
		if json.Unmarshal(sc.Bytes(), &st) != nil {
			continue
		}
		for _, v := range st.Vertexes {
			if v.Completed == nil || !strings.HasPrefix(v.Name, "[") || strings.HasPrefix(v.Name, "[internal]") || strings.HasPrefix(v.Name, "[auth]") {
				continue
			}
			seen[v.Digest.String()] = seen[v.Digest.String()] || v.Cached
		}
	}
	var c stepCount
	for _, cached := range seen {
		c.steps++
		if cached {
			c.cached++
		}
	}
	return c
}
