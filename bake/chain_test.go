package bake_test

import (
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/baketest"
	xhcl "github.com/xbake/xbake/hcl"
)

// resolveChain loads a chain of n inherits links and resolves t0 (or
// every target), returning the bytes allocated by loading and resolving
// (parsing is not counted: it belongs to package hcl).
func resolveChain(tb testing.TB, n int, all bool) uint64 {
	tb.Helper()
	files, _, diags := xhcl.Parse([]xhcl.File{{Name: "docker-bake.hcl", Data: baketest.Chain(n)}})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	cfg, diags := bake.Load(files, bake.Options{})
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	req := bake.Request{Targets: []string{"t0"}}
	if all {
		req.Targets = cfg.TargetNames()
	}
	def, diags := cfg.Resolve(req)
	if diags.HasErrors() {
		tb.Fatal(diags)
	}
	for _, t := range def.Targets {
		// What plan asks of every target: the range of a platform.
		if r := t.ElemRange("platforms", "0"); r.Start.Line != 3*n+3 {
			tb.Fatalf("%s: platforms[0] at line %d, want %d (in t%d)", t.Name, r.Start.Line, 3*n+3, n)
		}
	}
	runtime.ReadMemStats(&after)
	if !all && len(def.Targets) != 1 {
		tb.Fatalf("resolved %d targets, want 1", len(def.Targets))
	}
	return after.TotalAlloc - before.TotalAlloc
}

// TestInheritsChainIsLinear holds issue 11's goal: a chain of 10,000
// inherits links resolves in memory linear in its length. Each resolved
// parent used to carry the inherits of its whole chain (n²/2 names:
// 1.3 GB allocated for 4,000 links).
func TestInheritsChainIsLinear(t *testing.T) {
	for _, all := range []bool{false, true} {
		small := resolveChain(t, 1000, all)
		// Twice the links first, so that a quadratic cost fails here
		// rather than exhausting memory at 10,000.
		double := resolveChain(t, 2000, all)
		if double > 3*small {
			t.Fatalf("all=%v: 2,000 links allocate %.1f MB, %.1fx what 1,000 do (%.1f MB): not linear", all, mb(double), float64(double)/float64(small), mb(small))
		}
		large := resolveChain(t, 10000, all)
		t.Logf("all=%v: 1,000 links %.1f MB, 10,000 links %.1f MB", all, mb(small), mb(large))
		if large > 15*small {
			t.Errorf("all=%v: 10,000 links allocate %.1f MB, %.1fx what 1,000 do (%.1f MB): not linear", all, mb(large), float64(large)/float64(small), mb(small))
		}
		if large > 100<<20 {
			t.Errorf("all=%v: 10,000 links allocate %.1f MB, over 100 MB", all, mb(large))
		}
	}
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// ladder returns a definition whose targets depend on each other through
// `target:` contexts in a ladder of n rungs: a<i> and b<i> both link to
// a<i+1> and b<i+1>, and a<n> has an entitlement, so the paths from a0
// down double at every rung.
func ladder(n int) []byte {
	var b strings.Builder
	for i := range n {
		for _, side := range []string{"a", "b"} {
			fmt.Fprintf(&b, "target %q {\n  contexts = { x = \"target:a%d\", y = \"target:b%d\" }\n}\n", side+strconv.Itoa(i), i+1, i+1)
		}
	}
	fmt.Fprintf(&b, "target \"a%d\" {\n  entitlements = [\"network.host\"]\n}\ntarget \"b%d\" {}\n", n, n)
	return []byte(b.String())
}

// TestLinkLadderIsLinear: following `target:` links costs what the links
// are, not what the paths through them are. Every rung of a ladder of
// links doubles the paths; they used to be walked one by one (2^n), so
// that 18 rungs took 0.2 s and 30 a quarter of an hour.
func TestLinkLadderIsLinear(t *testing.T) {
	allocs := func(n int) float64 {
		files, _, diags := xhcl.Parse([]xhcl.File{{Name: "docker-bake.hcl", Data: ladder(n)}})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		cfg, diags := bake.Load(files, bake.Options{})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var def *bake.Definition
		a := testing.AllocsPerRun(1, func() {
			def, diags = cfg.Resolve(bake.Request{Targets: []string{"a0"}})
		})
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		if len(def.Targets) != 2*n+1 {
			t.Fatalf("%d rungs: %d targets, want %d", n, len(def.Targets), 2*n+1)
		}
		for _, tg := range def.Targets {
			if tg.Linked != (tg.Name != "a0") {
				t.Errorf("%s: Linked %v", tg.Name, tg.Linked)
			}
			// Every target but b<n> reaches a<n>, and takes its entitlement.
			if want := tg.Name != "b"+strconv.Itoa(n); slices.Contains(tg.Entitlements, "network.host") != want {
				t.Errorf("%s: entitlements %q", tg.Name, tg.Entitlements)
			}
		}
		return a
	}
	small, double := allocs(10), allocs(20)
	t.Logf("10 rungs allocate %.0f times, 20 rungs %.0f", small, double)
	if double > 3*small {
		t.Errorf("20 rungs allocate %.0f times, %.1fx what 10 rungs do (%.0f): not linear", double, double/small, small)
	}
}
