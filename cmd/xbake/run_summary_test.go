package main

import (
	"strings"
	"testing"
	"time"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

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
moved: app@linux/riscv64 from arm1 to no other node: builder node arm1 was lost: it has not answered for 30s
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
