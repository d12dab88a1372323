package plan_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/xbake/xbake/plan"
)

// fuzzTargets reads a small definition from fuzz input, one target a line:
//
//	name|platform;platform,platform|ctx=value ctx=value|flags
//
// where flags may hold L (linked), R (registry output), D (docker output)
// and a digit that picks the Dockerfile, so identical targets can dedup.
func fuzzTargets(in string) []fx {
	var out []fx
	for i, line := range strings.Split(in, "\n") {
		if i == 12 {
			break // enough to reach every path; keeps runs fast
		}
		parts := strings.SplitN(line, "|", 4)
		for len(parts) < 4 {
			parts = append(parts, "")
		}
		f := fx{name: parts[0]}
		if parts[1] != "" {
			f.platforms = strings.Split(parts[1], ";")
		}
		for _, c := range strings.Fields(parts[2]) {
			k, v, _ := strings.Cut(c, "=")
			f.contexts = append(f.contexts, kv{k, v})
		}
		for _, c := range parts[3] {
			switch {
			case c == 'L':
				f.linked = true
			case c == 'R':
				f.outputs = append(f.outputs, "type=registry")
			case c == 'D':
				f.outputs = append(f.outputs, "type=docker")
			case c >= '0' && c <= '9':
				f.dockerfile = fmt.Sprintf("%c.Dockerfile", c)
			}
		}
		out = append(out, f)
	}
	return out
}

func FuzzNew(f *testing.F) {
	for _, seed := range []string{
		"app|linux/amd64;linux/arm64|base=target:base|R\nbase|linux/amd64,linux/arm64||L",
		"a||x=target:b|\nb||y=target:a|",
		"a||x=target:a|",
		"a|linux;arm64;linux/amd46;local;linux/arm64/v8;linux/aarch64||R",
		"a|linux/amd64;linux/arm64;linux/s390x|b=target:b|R\nb|linux/amd64;linux/arm64||1",
		"x||b=target:t|1D\ny||b=target:t|1R\nt||v=../src|L",
		"a||c=target:|\nb||c=target:nope|\na|||",
		"w|linux/arm/v9,,windows(10.0.17763)/amd64;Linux/ARM||",
	} {
		f.Add(seed)
	}
	req := plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/amd64", "linux/arm/v7"}}
	f.Fuzz(func(t *testing.T, in string) {
		targets := fuzzTargets(in)
		render := func() (string, *plan.Plan) {
			def, _ := define(targets...)
			p, diags := plan.New(def, req)
			var buf bytes.Buffer
			for _, d := range diags {
				if d.Subject == nil {
					t.Errorf("diagnostic without a subject: %s: %s", d.Summary, d.Detail)
				}
				fmt.Fprintf(&buf, "%s %s: %s\n", rangeString(d.Subject), d.Summary, d.Detail)
			}
			if diags.HasErrors() != (p == nil) {
				t.Fatalf("errors: %v, plan: %v", diags.HasErrors(), p != nil)
			}
			if p == nil {
				return buf.String(), nil
			}
			if err := p.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			for _, format := range plan.GraphFormats {
				if err := p.WriteGraph(&buf, format); err != nil {
					t.Fatal(err)
				}
			}
			return buf.String(), p
		}
		first, p := render()
		second, _ := render()
		if first != second {
			t.Fatalf("two runs differ:\n%s\n---\n%s", first, second)
		}
		if p != nil {
			checkInvariants(t, p)
			checkReferences(t, p)
		}
	})
}

// checkReferences asserts that links and merges name nodes of the plan
// that the node depends on.
func checkReferences(t *testing.T, p *plan.Plan) {
	t.Helper()
	ids := map[string]bool{}
	for _, n := range p.Nodes {
		ids[n.ID] = true
		deps := map[string]bool{}
		for _, d := range n.Deps {
			deps[d] = true
		}
		var refs []string
		if n.Solve != nil {
			for _, l := range n.Solve.Links {
				refs = append(refs, l.Node)
			}
		}
		if n.Merge != nil {
			refs = append(refs, n.Merge.Solves...)
			if len(n.Merge.Solves) != len(n.Merge.Platforms) || len(n.Merge.Solves) < 2 {
				t.Errorf("%s: %d solves for %d platforms", n.ID, len(n.Merge.Solves), len(n.Merge.Platforms))
			}
		}
		for _, r := range refs {
			if !deps[r] || !ids[r] {
				t.Errorf("%s refers to %s, which is not one of its dependencies", n.ID, r)
			}
		}
	}
}
