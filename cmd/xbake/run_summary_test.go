package main

import (
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// The summary names the node that ran each solve and how it ran there,
// and lists what moved off a lost node, with where to and why.
func TestSummaryBuilderAndMoves(t *testing.T) {
	solve := func(id string, exec plan.Exec) *plan.Node {
		return &plan.Node{ID: id, Kind: plan.KindSolve, Exec: exec}
	}
	rep := &executor.Report{Nodes: []*executor.NodeReport{
		{Node: solve("app@linux/amd64", plan.ExecNative), Status: executor.StatusDone, Builder: "amd1", Exec: plan.ExecNative, Duration: 2 * time.Second, Steps: 2},
		{Node: solve("app@linux/arm64", plan.ExecNative), Status: executor.StatusDone, Builder: "amd1", Exec: plan.ExecEmulated, Duration: 9 * time.Second, Steps: 2,
			Moves: []executor.Move{{From: "arm1", Reason: "it refuses connections"}}},
		{Node: solve("app@linux/riscv64", plan.ExecEmulated), Status: executor.StatusFailed, Builder: "arm1", Exec: plan.ExecEmulated,
			Moves: []executor.Move{{From: "arm1", Reason: "it has not answered for 30s"}}},
		{Node: &plan.Node{ID: "app#index", Kind: plan.KindMerge}, Status: executor.StatusSkipped},
	}}
	var b strings.Builder
	writeSummary(&b, rep, executor.NewRedactor(nil))
	want := `
NODE               BUILDER  STATUS   EXEC      DURATION  CACHED/STEPS  TEST  DIGEST  PUBLISHED
app@linux/amd64    amd1     done     native    2s        0/2           -     -       -
app@linux/arm64    amd1     done     emulated  9s        0/2           -     -       -
app@linux/riscv64  arm1     failed   emulated  -         -             -     -       -
app#index          -        skipped  -         -         -             -     -       -
moved: app@linux/arm64 from arm1 to amd1: builder node arm1 was lost: it refuses connections
lost: app@linux/riscv64 on arm1, and no other node could take it: builder node arm1 was lost: it has not answered for 30s
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A target skipped as unchanged (--skip-unchanged) shows the image it
// reuses: each solve its platform's manifest, on no node and run no way,
// and the merge the index its tags now point at.
func TestSummaryUnchanged(t *testing.T) {
	const amd, idx = "sha256:a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1", "sha256:1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d"
	rep := &executor.Report{Nodes: []*executor.NodeReport{
		{Node: &plan.Node{ID: "api@linux/amd64", Kind: plan.KindSolve, Solve: &plan.Solve{Unchanged: true}}, Status: executor.StatusUnchanged,
			Result: &executor.Result{Descriptor: ocispec.Descriptor{Digest: amd}}},
		{Node: &plan.Node{ID: "api#index", Kind: plan.KindMerge}, Status: executor.StatusUnchanged,
			Result: &executor.Result{Descriptor: ocispec.Descriptor{Digest: idx}, Published: []string{"r/api:2"}}},
	}}
	var b strings.Builder
	writeSummary(&b, rep, executor.NewRedactor(nil))
	want := `
NODE             BUILDER  STATUS     EXEC  DURATION  CACHED/STEPS  TEST  DIGEST        PUBLISHED
api@linux/amd64  -        unchanged  -     -         -             -     a1a1a1a1a1a1  -
api#index        -        unchanged  -     -         -             -     1d1d1d1d1d1d  r/api:2
`
	if b.String() != want {
		t.Errorf("summary:\n%s\nwant:\n%s", b.String(), want)
	}
}

// A multi-platform --load into an engine that keeps one platform per tag
// loads each platform under its own tag; the summary says so once per
// target, and which tag the user asked for is not there. A merged load
// (containerd image store: the merge node publishes) and a one-platform
// load need no note.
func TestSummaryPerPlatformLoad(t *testing.T) {
	app := &bake.Target{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"}, Tags: []string{"me/app:1"}}
	one := &bake.Target{Name: "one", Platforms: []string{"linux/amd64"}, Tags: []string{"me/one:1"}}
	merged := &bake.Target{Name: "merged", Platforms: []string{"linux/amd64", "linux/arm64"}, Tags: []string{"me/merged:1"}}
	// Two platforms written, one planned (on an amd64 builder): one image.
	local := &bake.Target{Name: "local", Platforms: []string{"local", "linux/amd64"}, Tags: []string{"me/local:1"}}
	planned := map[*bake.Target][]string{app: app.Platforms, one: one.Platforms, merged: merged.Platforms, local: {"linux/amd64"}}
	solve := func(t *bake.Target, plat, published string) *executor.NodeReport {
		r := &executor.Result{}
		if published != "" {
			r.Published = []string{published}
		}
		return &executor.NodeReport{Node: &plan.Node{ID: t.Name + "@" + plat, Kind: plan.KindSolve,
			Solve: &plan.Solve{Targets: []*bake.Target{t}, TargetPlatforms: [][]string{planned[t]}}},
			Status: executor.StatusDone, Result: r}
	}
	rep := &executor.Report{Nodes: []*executor.NodeReport{
		solve(app, "linux/amd64", "docker:me/app:1-linux-amd64"),
		solve(app, "linux/arm64", "docker:me/app:1-linux-arm64"),
		solve(one, "linux/amd64", "docker:me/one:1"),
		solve(local, "linux/amd64", "docker:me/local:1"),
		solve(merged, "linux/amd64", ""),
		solve(merged, "linux/arm64", ""),
		{Node: &plan.Node{ID: "merged#index", Kind: plan.KindMerge}, Status: executor.StatusDone, Result: &executor.Result{Published: []string{"docker:me/merged:1"}}},
	}}
	var b strings.Builder
	writeSummary(&b, rep, executor.NewRedactor(nil))
	want := "loaded per platform: app: the docker engine keeps one platform per tag (it does not use the containerd image store), so each platform was loaded under its own tag, TAG-os-arch (listed above), not under me/app:1; see docs/compat.md\n"
	if !strings.HasSuffix(b.String(), want) || strings.Count(b.String(), "loaded per platform") != 1 {
		t.Errorf("summary:\n%s\nwant it to end with:\n%s", b.String(), want)
	}
}
