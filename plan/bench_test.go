package plan_test

import (
	"fmt"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// benchDefinition builds a monorepo of n targets on 3 platforms: a shared
// base (3 platforms) and tools image (1 platform) built as dependencies,
// 6% plain service targets (300 of 5,000), and the rest matrix instances
// of one Dockerfile over variants and versions. Every third target links
// to the base, every fifth also to the tools, and every seventh has a
// twin that differs only in its tags, so dedup has work to do.
func benchDefinition(n int) *bake.Definition {
	str := func(s string) *string { return &s }
	plats := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}
	at := func(line int) *bake.Source {
		return &bake.Source{DeclRange: hcl.Range{Filename: "xbuild.hcl",
			Start: hcl.Pos{Line: line, Column: 8}, End: hcl.Pos{Line: line, Column: 20}}}
	}
	def := &bake.Definition{Targets: []*bake.Target{
		{Name: "base", Platforms: plats, Dockerfile: str("base.Dockerfile"), Linked: true, Source: at(1)},
		{Name: "tools", Dockerfile: str("tools.Dockerfile"), Linked: true, Source: at(5)},
	}}
	plain := n * 6 / 100
	for i := range n - 2 {
		t := &bake.Target{Platforms: plats, Source: at(10 + 10*i)}
		if i < plain {
			t.Name = fmt.Sprintf("svc-%04d", i)
			t.Dockerfile = str(fmt.Sprintf("services/%d/Dockerfile", i))
			t.Outputs = []*bake.Export{{Type: "registry"}}
		} else {
			m := i - plain
			t.Name = fmt.Sprintf("app-v%d-%04d", m%4, m/4)
			t.Dockerfile = str("apps/Dockerfile")
			twin := m / 2
			if m%7 != 0 {
				twin = m // most instances differ in their args
			}
			t.Args = map[string]*string{"VARIANT": str(fmt.Sprint(twin % 4)), "VERSION": str(fmt.Sprint(twin))}
			t.Outputs = []*bake.Export{{Type: "image", Attrs: map[string]string{"push": "true"}}}
		}
		t.Tags = []string{"registry.example.com/" + t.Name + ":1.0"}
		if i%3 == 0 {
			t.Contexts = map[string]string{"base": "target:base"}
			if i%5 == 0 {
				t.Contexts["tools"] = "target:tools"
			}
		}
		def.Targets = append(def.Targets, t)
	}
	return def
}

func BenchmarkNew(b *testing.B) {
	req := plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/amd64"}}
	for _, n := range []int{1000, 5000, 10000} {
		def := benchDefinition(n)
		b.Run(fmt.Sprintf("targets=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			var p *plan.Plan
			for b.Loop() {
				var diags hcl.Diagnostics
				p, diags = plan.New(def, req)
				if diags.HasErrors() {
					b.Fatal(diags)
				}
			}
			elems := len(p.Nodes)
			for _, nd := range p.Nodes {
				elems += len(nd.Deps)
			}
			b.ReportMetric(float64(len(p.Nodes)), "nodes")
			b.ReportMetric(float64(elems), "nodes+edges")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(elems), "ns/elem")
		})
	}
}
