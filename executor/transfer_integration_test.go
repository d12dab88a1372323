package executor_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// A single-platform dependency serves a dependent's platforms on other
// nodes: each platform of the dependent runs on its own native node and
// reads the dependency's result (files and image config) moved there as
// an OCI layout, instead of every platform going to the dependency's node.
func TestIntegrationLinkAcrossNodes(t *testing.T) {
	r := newRun(t)
	arm := executortest.StartDaemon(t, "linux/arm64")
	r.builders = []executor.BuilderConfig{
		{Name: "amd", Endpoint: r.env.BuildKitHost, Platforms: []string{"linux/amd64"}},
		{Name: "arm", Endpoint: arm},
	}
	bb := "FROM " + r.env.Registry + "/xbake/busybox\n"
	base := r.target("base", []string{"linux/amd64"}, bb+"ENV FROM_BASE=yes\nRUN echo built-on-$(uname -m) > /base-arch\n")
	app := r.target("app", []string{"linux/amd64", "linux/arm64"}, "FROM base\nRUN echo $FROM_BASE > /env\n",
		&bake.Export{Type: "local", Dest: "out"})
	app.Contexts = map[string]string{"base": "target:base"}
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "base", Platforms: []string{"linux/amd64"}, Target: base},
		executortest.PlanTarget{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"}, Target: app, Links: map[string]string{"base": "base"}},
	)
	// app@linux/arm64 links to base's only platform.
	for _, n := range p.Nodes {
		if n.ID == "app@linux/arm64" {
			n.Solve.Links = []plan.Link{{Name: "base", Node: "base@linux/amd64"}}
			n.Deps = []string{"base@linux/amd64"}
		}
	}
	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	for _, nr := range rep.Nodes {
		want := "amd"
		if nr.Node.Platform == "linux/arm64" {
			want = "arm"
		}
		if nr.Builder != want || nr.Exec != plan.ExecNative {
			t.Errorf("%s ran on %s (%s), want %s native", nr.Node.ID, nr.Builder, nr.Exec, want)
		}
		if got := nr.Result.ExporterResponse[nr.Node.Target][executor.BuilderKey]; got != want {
			t.Errorf("%s: response says builder %q", nr.Node.ID, got)
		}
	}
	for _, pl := range []string{"linux_amd64", "linux_arm64"} {
		for f, want := range map[string]string{"env": "yes", "base-arch": "built-on-x86_64"} {
			dt, _ := os.ReadFile(filepath.Join(r.dir, "out", pl, f))
			if strings.TrimSpace(string(dt)) != want {
				t.Errorf("%s/%s = %q, want %s", pl, f, dt, want)
			}
		}
	}
}
