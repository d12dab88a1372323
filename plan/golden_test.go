package plan_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// Golden files live in testdata/<case>/: the definition rendered as the
// bake file it stands for (xbuild.hcl), the plan (plan.json) and the graph
// in every format (graph.json, graph.dot, and graph.md, a Mermaid block
// that GitHub renders). XBAKE_UPDATE=1 rewrites them; never edit by hand.
var update = os.Getenv("XBAKE_UPDATE") != ""

var monorepoReq = plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/amd64"}}

// monorepo is a service repository: shared base and tools images built
// only as dependencies, services on top of them, a matrix of one service
// over two Go versions, two documentation targets that differ only in
// their tags (one solve), and a lint check on the default platform.
func monorepo() (*bake.Definition, string) {
	multi := []string{"linux/amd64", "linux/arm64"}
	base := []kv{{"base", "target:base"}}
	withTools := []kv{{"base", "target:base"}, {"tools", "target:tools"}}
	return define(
		fx{name: "base", platforms: multi, dockerfile: "docker/base.Dockerfile", linked: true},
		fx{name: "tools", dockerfile: "docker/tools.Dockerfile", linked: true,
			comment: "One platform: it serves every platform of its dependents (cross-compiling tools)."},
		fx{name: "api", platforms: multi, contexts: withTools, dockerfile: "services/api/Dockerfile",
			tags: []string{"registry.example.com/api:1.4.0"}, outputs: []string{"type=registry"}},
		fx{name: "web", platforms: multi, contexts: base, dockerfile: "services/web/Dockerfile",
			tags:    []string{"registry.example.com/web:1.4.0"},
			outputs: []string{"type=registry", "type=local,dest=out/web"}},
		fx{name: "worker", platforms: multi, contexts: withTools, dockerfile: "services/worker/Dockerfile",
			tags: []string{"worker:dev"}, outputs: []string{"type=docker"}},
		fx{name: "svc-go1-22", platforms: multi, contexts: base, dockerfile: "services/svc/Dockerfile",
			args: []kv{{"GO_VERSION", "1.22"}}, tags: []string{"registry.example.com/svc:go1.22"},
			outputs: []string{"type=registry"}, comment: `From matrix = { go = ["1.22", "1.23"] }.`},
		fx{name: "svc-go1-23", platforms: multi, contexts: base, dockerfile: "services/svc/Dockerfile",
			args: []kv{{"GO_VERSION", "1.23"}}, tags: []string{"registry.example.com/svc:go1.23"},
			outputs: []string{"type=registry"}, comment: `From matrix = { go = ["1.22", "1.23"] }.`},
		fx{name: "docs", platforms: []string{"linux/amd64"}, dockerfile: "docs/Dockerfile",
			tags: []string{"registry.example.com/docs:latest"}, outputs: []string{"type=registry"}},
		fx{name: "docs-preview", platforms: []string{"linux/amd64"}, dockerfile: "docs/Dockerfile",
			tags: []string{"registry.example.com/docs:preview"}, outputs: []string{"type=registry"},
			comment: "Same build as docs, other tag: one solve serves both."},
		fx{name: "lint", stage: "lint", call: "check", dockerfile: "services/api/Dockerfile"},
	)
}

// matrix is a target over two variants and three platforms, each pushed as
// a multi-platform image, on a builder that runs arm64 natively.
func matrix() (*bake.Definition, string) {
	plats := []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}
	var targets []fx
	for _, variant := range []string{"alpine", "debian"} {
		targets = append(targets, fx{
			name: "app-" + variant, platforms: plats, stage: variant,
			tags:    []string{"registry.example.com/app:" + variant},
			outputs: []string{"type=image,push=true"},
			comment: `From matrix = { variant = ["alpine", "debian"] }.`,
		})
	}
	return define(targets...)
}

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		def  func() (*bake.Definition, string)
		req  plan.Request
	}{
		{"monorepo", monorepo, monorepoReq},
		{"matrix", matrix, plan.Request{DefaultPlatform: "linux/arm64", BuilderPlatforms: []string{"linux/arm64"}}},
		{"single", func() (*bake.Definition, string) {
			return define(fx{name: "app", outputs: []string{"type=docker"}})
		}, plan.Request{DefaultPlatform: "linux/amd64"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def, src := tc.def()
			p, diags := plan.New(def, tc.req)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			checkInvariants(t, p)
			dir := filepath.Join("testdata", tc.name)
			golden(t, filepath.Join(dir, "xbuild.hcl"), []byte(src))
			var buf bytes.Buffer
			if err := p.WriteJSON(&buf); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join(dir, "plan.json"), buf.Bytes())
			for format, file := range map[string]string{"json": "graph.json", "dot": "graph.dot", "mermaid": "graph.md"} {
				buf.Reset()
				if format == "mermaid" {
					buf.WriteString("```mermaid\n")
				}
				if err := p.WriteGraph(&buf, format); err != nil {
					t.Fatal(err)
				}
				if format == "mermaid" {
					buf.WriteString("```\n")
				}
				golden(t, filepath.Join(dir, file), buf.Bytes())
			}
		})
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with XBAKE_UPDATE=1 to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-want +got; XBAKE_UPDATE=1 to accept):\n%s", path, d)
	}
}

func TestWriteGraphUnknownFormat(t *testing.T) {
	err := (&plan.Plan{}).WriteGraph(&bytes.Buffer{}, "svg")
	want := `unknown graph format "svg" (want json, dot or mermaid)`
	if err == nil || err.Error() != want {
		t.Errorf("WriteGraph(svg) = %v, want %q", err, want)
	}
}
