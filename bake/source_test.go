package bake

import (
	"fmt"
	"strings"
	"testing"

	xhcl "github.com/xbake/xbake/hcl"
)

// TestSourceStaysShallow checks that ranges survive the flattening of deep
// sources: along a chain of 40 links, contexts.a comes from the nearest
// link that sets it, contexts.b from the one link that sets it, a context
// no link sets falls back to the nearest contexts attribute, and no
// source is deeper than maxSourceDepth.
func TestSourceStaysShallow(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 40; i++ {
		fmt.Fprintf(&b, "target \"t%d\" {\n  inherits = [\"t%d\"]\n", i, i+1)
		switch i {
		case 5:
			b.WriteString("  contexts = { a = \"five\" }\n")
		case 30:
			b.WriteString("  contexts = { a = \"thirty\", b = \"thirty\" }\n")
		default:
			b.WriteString("\n")
		}
		b.WriteString("}\n")
	}
	b.WriteString("target \"t40\" {}\n")
	files, _, diags := xhcl.Parse([]xhcl.File{{Name: "chain.hcl", Data: []byte(b.String())}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := Load(files, Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	def, diags := cfg.Resolve(Request{Targets: cfg.TargetNames()})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	// t5's contexts are on line 5*4+3, t30's on line 30*4+3.
	line := func(i int) int { return 4*i + 3 }
	for _, tg := range def.Targets {
		var i int
		fmt.Sscanf(tg.Name, "t%d", &i)
		// A bound well under the chain's 40 links, whatever the constant.
		if tg.Source.depth > 16 {
			t.Errorf("%s: source depth %d, over 16", tg.Name, tg.Source.depth)
		}
		var wantA, wantB int // 0: the declaration
		switch {
		case i <= 5:
			wantA, wantB = line(5), line(30)
		case i <= 30:
			wantA, wantB = line(30), line(30)
		}
		if wantA == 0 {
			if tg.AttrRange("contexts") != tg.Source.DeclRange {
				t.Errorf("%s: contexts has a range, but no link sets it", tg.Name)
			}
			continue
		}
		if got := tg.ElemRange("contexts", "a").Start.Line; got != wantA {
			t.Errorf("%s: contexts.a at line %d, want %d", tg.Name, got, wantA)
		}
		if got := tg.ElemRange("contexts", "b").Start.Line; got != wantB {
			t.Errorf("%s: contexts.b at line %d, want %d", tg.Name, got, wantB)
		}
		if got := tg.ElemRange("contexts", "none").Start.Line; got != wantA {
			t.Errorf("%s: contexts.none falls back to line %d, want %d", tg.Name, got, wantA)
		}
	}
}
