package plan_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// TestNewTests: each solve gets the tests of its targets for its
// platform, in declaration order; a solve that serves two identical
// targets runs both targets' tests; a test's platforms filter is checked
// against its target's planned platforms, in their canonical spelling.
func TestNewTests(t *testing.T) {
	def, _ := define(
		fx{name: "app", platforms: []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}},
		fx{name: "copy", platforms: []string{"linux/amd64"}},
	)
	def.Tests = []*bake.Test{
		{Name: "all", Target: "app"},
		{Name: "arm", Target: "app", Platforms: []string{"linux/arm", "linux/aarch64"}},
		{Name: "copy", Target: "copy"},
		{Name: "unplanned", Target: "nope"}, // bake checks names; the planner skips it
	}
	p, diags := plan.New(def, plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var got []string
	for _, n := range p.Nodes {
		var names []string
		for _, tt := range n.Solve.Tests {
			names = append(names, tt.Name)
		}
		got = append(got, fmt.Sprintf("%s: %s", n.ID, strings.Join(names, " ")))
	}
	want := []string{
		"app@linux/amd64: all copy", // copy@linux/amd64 is the same solve
		"app@linux/arm/v7: all arm",
		"app@linux/arm64: all arm",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tests per solve (-want +got):\n%s", d)
	}

	rng := hcl.Range{Filename: "xbuild.hcl", Start: hcl.Pos{Line: 9, Column: 16}}
	def.Tests = []*bake.Test{{Name: "bad", Target: "app", Platforms: []string{"linux/s390x", "linux"}, PlatformRanges: []hcl.Range{rng, rng}}}
	_, diags = plan.New(def, plan.Request{DefaultPlatform: "linux/amd64"})
	var msgs []string
	for _, d := range diags {
		msgs = append(msgs, d.Summary+": "+d.Detail)
	}
	wantMsgs := []string{ // sorted by position, then as found: the bad spelling first
		`Incomplete platform: Test "bad": "linux" names only an operating system. Write "os/arch", for example "linux/amd64", so the plan does not depend on the machine running xbake.`,
		`Platform not built: Test "bad" names linux/s390x, which target "app" is not built for; it is built for linux/amd64, linux/arm64, linux/arm/v7.`,
	}
	if d := cmp.Diff(wantMsgs, msgs); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}
