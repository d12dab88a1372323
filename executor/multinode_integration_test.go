package executor_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// Two daemons, one per architecture: each platform's solves (and their
// linked dependency) land on the node that runs it natively, and the
// index combines both nodes' pushes.
func TestIntegrationMultiNode(t *testing.T) {
	r := newRun(t)
	arm := executortest.StartDaemon(t, "linux/arm64")
	r.builders = []executor.BuilderConfig{
		{Name: "amd", Endpoint: r.env.BuildKitHost, Platforms: []string{"linux/amd64"}},
		{Name: "arm", Endpoint: arm},
	}
	plats := []string{"linux/amd64", "linux/arm64"}
	repo := r.env.Repo(t)
	base := r.target("base", plats, "FROM "+r.env.Registry+"/xbake/busybox\nRUN uname -m > /base-arch\n")
	app := r.target("app", plats, "FROM base\nRUN uname -m > /arch\n",
		&bake.Export{Type: "registry"}, &bake.Export{Type: "local", Dest: "out"})
	app.Tags = []string{repo + ":v1"}
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "base", Platforms: plats, Target: base},
		executortest.PlanTarget{Name: "app", Platforms: plats, Links: map[string]string{"base": "base"}, Merge: true, Target: app},
	)
	ctx := context.Background()
	bs, err := executor.Connect(ctx, r.builders)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(bs.NativePlatforms(), ","); got != "linux/amd64,linux/arm64" {
		t.Errorf("native platforms = %s", got)
	}
	p.Place(bs.PlanNodes())
	place := map[string]string{}
	for _, n := range p.Nodes {
		place[n.ID] = n.Builder
	}
	for id, want := range map[string]string{"base@linux/amd64": "amd", "app@linux/amd64": "amd", "base@linux/arm64": "arm", "app@linux/arm64": "arm"} {
		if place[id] != want {
			t.Errorf("%s placed on %s, want %s", id, place[id], want)
		}
	}
	bs.Close()

	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	for _, nr := range rep.Nodes {
		if nr.Result != nil && nr.Result.Builder != "" && nr.Result.Builder != place[nr.Node.ID] {
			t.Errorf("%s ran on %s", nr.Node.ID, nr.Result.Builder)
		}
	}
	for pl, want := range map[string]string{"linux_amd64": "x86_64", "linux_arm64": "aarch64"} {
		dt, _ := os.ReadFile(filepath.Join(r.dir, "out", pl, "arch"))
		if strings.TrimSpace(string(dt)) != want {
			t.Errorf("%s: arch %q, want %s", pl, dt, want)
		}
		dt, _ = os.ReadFile(filepath.Join(r.dir, "out", pl, "base-arch"))
		if strings.TrimSpace(string(dt)) != want {
			t.Errorf("%s: the linked base's arch %q, want %s", pl, dt, want)
		}
	}
	ins, err := oci.NewClient().Inspect(ctx, repo+":v1")
	if err != nil || len(ins.Manifests) != 2 {
		t.Fatalf("inspect: %v %+v", err, ins)
	}
}

// One context shared by three targets and three platforms is sent once
// per daemon: the shared session serves every solve, and BuildKit reuses
// the transfer.
func TestIntegrationContextSentOncePerDaemon(t *testing.T) {
	r := newRun(t)
	plats := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}
	// A context worth counting: 64 files of 16 KiB.
	for i := range 64 {
		r.file(filepath.Join("src", "f"+string(rune('a'+i%26))+string(rune('a'+i/26))), strings.Repeat("x", 16<<10))
	}
	bb := "FROM " + r.env.Registry + "/xbake/busybox\n"
	base := r.target("base", plats, bb+"COPY src /src\n")
	one := r.target("one", plats, "FROM base\nCOPY src /src1\n")
	two := r.target("two", plats, "FROM base\nCOPY src /src2\n")
	for _, t := range []*bake.Target{base, one, two} {
		t.NoCache = ptr(true)
	}
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "base", Platforms: plats, Target: base},
		executortest.PlanTarget{Name: "one", Platforms: plats, Links: map[string]string{"base": "base"}, Target: one},
		executortest.PlanTarget{Name: "two", Platforms: plats, Links: map[string]string{"base": "base"}, Target: two},
	)
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	st := r.bk.Transfers()[r.dir]
	if st == nil {
		t.Fatalf("no transfer stats for %s: %v", r.dir, r.bk.Transfers())
	}
	files, bytes := st.Files.Load(), st.Bytes.Load()
	t.Logf("9 solves, one daemon: %d files, %d bytes read from the context (%d files, %d bytes in it)", files, bytes, 64+3, 64*16<<10)
	if bytes > 64*16<<10+64<<10 {
		t.Errorf("the context was sent more than once: %d bytes", bytes)
	}
}
