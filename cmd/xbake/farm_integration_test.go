package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containerd/platforms"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// farm is three buildkitd started by the test: amd1 and amd2 run
// linux/amd64 and emulate linux/arm64, arm runs linux/arm64; a builders
// file lists them, and a bake file builds targets t0..t3 for both
// platforms with a slow step, pushed to a repository of the test's own.
type farm struct {
	dir, repo string
	daemons   map[string]*executortest.Daemon
}

func newFarm(t *testing.T, extra string) *farm {
	t.Helper()
	env := executortest.Stack(t)
	f := &farm{dir: t.TempDir(), repo: env.Registry + "/" + executortest.Unique("xbake-farm-"), daemons: map[string]*executortest.Daemon{}}
	var entries []string
	for _, n := range []struct{ name, plats string }{{"amd1", "linux/amd64,linux/arm64"}, {"amd2", "linux/amd64,linux/arm64"}, {"arm", "linux/arm64"}} {
		d := executortest.StartDaemonWith(t, executortest.DaemonOptions{Platforms: strings.Split(n.plats, ",")})
		f.daemons[n.name] = d
		entries = append(entries, fmt.Sprintf(`{"name": %q, "endpoint": %q, "max_parallelism": 2}`, n.name, d.Addr))
	}
	if extra != "" {
		entries = append(entries, extra)
	}
	writeFile(t, filepath.Join(f.dir, "builders.json"), "["+strings.Join(entries, ",\n")+"]\n")
	var hcl strings.Builder
	for i := range 4 {
		fmt.Fprintf(&hcl, `
target "t%d" {
  dockerfile-inline = "FROM %s/xbake/busybox\nARG N\nRUN sleep 4 && echo $N > /n && uname -m > /arch\n"
  args = { N = "%d-%s" }
  platforms = ["linux/amd64", "linux/arm64"]
  tags = ["%s:t%d"]
  output = ["type=registry"]
}
`, i, env.Registry, i, filepath.Base(f.dir), f.repo, i)
	}
	fmt.Fprintf(&hcl, "group \"default\" {\n  targets = [\"t0\", \"t1\", \"t2\", \"t3\"]\n}\n")
	writeFile(t, filepath.Join(f.dir, "xbuild.hcl"), hcl.String())
	return f
}

// start runs the CLI in the background; done receives its exit code.
func (f *farm) start(t *testing.T, args ...string) (*syncBuffer, <-chan int) {
	t.Helper()
	out := &syncBuffer{}
	vars := map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")}
	a := &app{
		stdin: strings.NewReader(""), stdout: out, stderr: out,
		getenv:  func(k string) string { return vars[k] },
		environ: func() []string { return []string{"PATH=" + vars["PATH"], "HOME=" + vars["HOME"]} },
		getwd:   func() (string, error) { return f.dir, nil },
	}
	done := make(chan int, 1)
	go func() {
		done <- run(a, append([]string{"--builders", "builders.json", "--progress=plain", "--metadata-file", "meta.json"}, args...))
	}()
	return out, done
}

// waitFor waits until out matches re, or fails.
func waitFor(t *testing.T, out *syncBuffer, done <-chan int, re string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	for !regexp.MustCompile(re).MatchString(out.String()) {
		select {
		case code := <-done:
			t.Fatalf("exit %d before %q:\n%s", code, re, out)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q in:\n%s", re, out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// checkIndexes asserts that every target's tag is a complete index: one
// image per platform, each with buildx's default provenance (asked of
// the node that built it, moved or not), the digest the metadata file
// names.
func (f *farm) checkIndexes(t *testing.T) {
	t.Helper()
	dt, err := os.ReadFile(filepath.Join(f.dir, "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	var meta map[string]map[string]any
	if err := json.Unmarshal(dt, &meta); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		ref := fmt.Sprintf("%s:t%d", f.repo, i)
		ins, err := oci.NewClient().Inspect(context.Background(), ref)
		if err != nil {
			t.Fatalf("%s: %v", ref, err)
		}
		var plats []string
		attestations := 0
		for _, m := range ins.Manifests {
			if m.Attestation {
				attestations++
			} else if m.Platform != nil {
				plats = append(plats, platforms.Format(*m.Platform))
			}
		}
		if !slices.Equal(plats, []string{"linux/amd64", "linux/arm64"}) {
			t.Errorf("%s: platforms %v", ref, plats)
		}
		if attestations != len(plats) {
			t.Errorf("%s: %d attestation manifests for %d platforms: a solve lost its default provenance", ref, attestations, len(plats))
		}
		if got := meta[fmt.Sprintf("t%d", i)]["containerimage.digest"]; got != ins.Digest.String() {
			t.Errorf("%s: metadata digest %v, registry %s", ref, got, ins.Digest)
		}
		// Each platform's entry names the node that built it.
		plat, _ := meta[fmt.Sprintf("t%d", i)]["xbake.platforms"].(map[string]any)
		arm, _ := plat["linux/arm64"].(map[string]any)
		if got := arm["xbake.builder"]; got != "arm" {
			t.Errorf("t%d: linux/arm64 built on %v, want arm", i, got)
		}
	}
}

// moves returns the "moved:" lines of the summary.
func moves(out string) []string {
	return regexp.MustCompile(`(?m)^moved: .*$`).FindAllString(out, -1)
}

// A node killed mid-run: its solves move to the other amd64 node, the
// run succeeds, every index is complete, and the summary says what moved.
func TestIntegrationFarmNodeKilled(t *testing.T) {
	f := newFarm(t, "")
	out, done := f.start(t)
	waitFor(t, out, done, `on amd2\] \[2/2\] RUN sleep`)
	f.daemons["amd2"].Kill(t)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	ms := moves(out.String())
	if len(ms) == 0 {
		t.Fatalf("nothing moved:\n%s", out)
	}
	for _, m := range ms {
		if !regexp.MustCompile(`^moved: t\d@linux/amd64 from amd2 to amd1: builder node amd2 was lost: its connection broke \(.*\), and it does not answer \(.*(connection refused|connection reset by peer|broken pipe|no such file).*\)$`).MatchString(m) {
			t.Errorf("move: %s", m)
		}
	}
	if regexp.MustCompile(`(?m)^t\d@linux/\S+ +amd2 `).MatchString(out.String()) {
		t.Errorf("a solve is reported on the dead node:\n%s", out)
	}
	f.checkIndexes(t)
}

// A node that stops answering (SIGSTOP): declared lost after the node
// timeout, its solves move, and the run ends well within a minute.
func TestIntegrationFarmNodeStopped(t *testing.T) {
	f := newFarm(t, "")
	out, done := f.start(t, "--node-timeout", "6s")
	waitFor(t, out, done, `on amd2\] \[2/2\] RUN sleep`)
	f.daemons["amd2"].Freeze(t)
	stopped := time.Now()
	select {
	case code := <-done:
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, out)
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("still running 60s after the node stopped:\n%s", out)
	}
	t.Logf("the run ended %s after the node stopped", time.Since(stopped).Round(time.Second))
	ms := moves(out.String())
	if len(ms) == 0 {
		t.Fatalf("nothing moved:\n%s", out)
	}
	for _, m := range ms {
		if !regexp.MustCompile(`^moved: t\d@linux/amd64 from amd2 to amd1: builder node amd2 was lost: it has not answered for \d+s`).MatchString(m) {
			t.Errorf("move: %s", m)
		}
	}
	f.checkIndexes(t)
}

// A node that is down at the start and that the run does not need is
// skipped with a warning; one that the run needs (no other node lists
// its platform) stops it before anything is built, with its remedy.
func TestIntegrationFarmNodeDownAtStart(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "gone.sock")
	// sparc64: BuildKit looks for no emulator of it, so no other node lists
	// it, whatever QEMU handlers the machine has.
	f := newFarm(t, `{"name": "gone", "endpoint": "unix://`+sock+`", "platforms": ["linux/sparc64"]}`)
	out, done := f.start(t)
	if code := <-done; code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if !strings.Contains(out.String(), "xbake: warning: builder node gone does not answer; the run goes on without it (no platform of the run needs it): ") {
		t.Errorf("no warning:\n%s", out)
	}
	f.checkIndexes(t)

	// --plan with the builders: each solve's node; sparc64 needs "gone".
	// (The base image has no sparc64: the preflight would stop the plan
	// first, so it is off here.)
	writeFile(t, filepath.Join(f.dir, "xbuild.override.hcl"), `target "t0" { platforms = ["linux/amd64", "linux/sparc64"] }`)
	out, done = f.start(t, "--plan", "--no-preflight")
	if code := <-done; code != 1 || !strings.Contains(out.String(), "gone") || !strings.Contains(out.String(), "the run needs builder node gone, for no other node can run linux/sparc64: ") {
		t.Errorf("exit %d, want 1 and the node's error:\n%s", code, out)
	}
}

// --plan --builders shows where each solve would run and how, per node;
// the order of the nodes in the file changes nothing.
func TestIntegrationFarmPlan(t *testing.T) {
	f := newFarm(t, "")
	plan := func() map[string]string {
		out, done := f.start(t, "--plan")
		if code := <-done; code != 0 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		var p struct {
			Builders []struct {
				Name         string   `json:"name"`
				Native       []string `json:"native"`
				Emulated     []string `json:"emulated"`
				Capacity     int      `json:"capacity"`
				NativeSolves int      `json:"native_solves"`
			} `json:"builders"`
			Nodes []struct {
				ID, Builder, Exec string
			} `json:"nodes"`
		}
		if err := json.Unmarshal([]byte(out.String()), &p); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		got := map[string]string{}
		for _, b := range p.Builders {
			// BuildKit lists the host's variants (amd64/v2...) too.
			got[b.Name] = fmt.Sprintf("native %s emulates arm64 %v capacity %d native solves %d", b.Native[0], slices.Contains(b.Emulated, "linux/arm64"), b.Capacity, b.NativeSolves)
		}
		for _, n := range p.Nodes {
			if n.Builder != "" {
				got[n.ID] = n.Builder + " " + n.Exec
			}
		}
		return got
	}
	first := plan()
	for k, want := range map[string]string{
		"amd1": "native linux/amd64 emulates arm64 true capacity 2 native solves 2",
		"amd2": "native linux/amd64 emulates arm64 true capacity 2 native solves 2",
		"arm":  "native linux/arm64 emulates arm64 false capacity 2 native solves 4",
	} {
		if first[k] != want {
			t.Errorf("%s: %s, want %s", k, first[k], want)
		}
	}
	for i := range 4 {
		if got := first[fmt.Sprintf("t%d@linux/arm64", i)]; got != "arm native" {
			t.Errorf("t%d@linux/arm64: %s", i, got)
		}
	}
	// --explain with the builders: what runs under QEMU on the nodes
	// each solve would run on (the arm node runs every arm64 solve).
	out, done := f.start(t, "--plan", "--explain")
	want := `^On the nodes [^:]*: 8 solves, 8 native, 0 cross-compiled, 0 emulated\.\nNo RUN step runs under QEMU\.\n$`
	if code := <-done; code != 0 || !regexp.MustCompile(want).MatchString(out.String()) || !strings.Contains(out.String(), "arm (linux/arm64)") {
		t.Errorf("--plan --explain: exit %d\n%s\nwant %s", code, out, want)
	}
	dt, _ := os.ReadFile(filepath.Join(f.dir, "builders.json"))
	lines := strings.Split(strings.Trim(strings.TrimSpace(string(dt)), "[]"), ",\n")
	slices.Reverse(lines)
	writeFile(t, filepath.Join(f.dir, "builders.json"), "["+strings.Join(lines, ",\n")+"]\n")
	if second := plan(); fmt.Sprint(second) != fmt.Sprint(first) {
		t.Errorf("reordering the nodes changed the plan:\n%v\n%v", first, second)
	}
}
