package examples_test

import (
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/plan"
)

// repoRoot is where the examples are run from: their paths are relative
// to the working directory, as in buildx.
const repoRoot = ".."

// wantNodes are the plan's node IDs, in plan order, for every group of
// every example file: "GROUP" as written, and "GROUP --push" with
// *.push=true, which adds the merge nodes that publish the indexes.
var wantNodes = map[string]map[string][]string{
	"hello/xbuild.hcl": {
		"default":        {"hello@linux/amd64", "hello@linux/arm/v7", "hello@linux/arm64"},
		"default --push": {"hello@linux/amd64", "hello@linux/arm/v7", "hello@linux/arm64", "hello#index"},
		"release":        {"hello@linux/amd64", "hello@linux/arm/v7", "hello@linux/arm64"},
		"release --push": {"hello@linux/amd64", "hello@linux/arm/v7", "hello@linux/arm64", "hello#index"},
		"hello-emulated": {"hello-emulated@linux/amd64", "hello-emulated@linux/arm64"},
		"hello-emulated --push": {
			"hello-emulated@linux/amd64", "hello-emulated@linux/arm64", "hello-emulated#index",
		},
	},
	"monorepo/xbuild.hcl": {
		"default": monorepoRelease,
		"default --push": append(slices.Clone(monorepoRelease),
			"api#index", "web-debug#index", "web-slim#index", "worker#index"),
		"release": monorepoRelease,
		"release --push": append(slices.Clone(monorepoRelease),
			"api#index", "web-debug#index", "web-slim#index", "worker#index"),
		"ci": monorepoCI,
		"ci --push": append(slices.Clone(monorepoCI),
			"api#index", "web-debug#index", "web-slim#index", "worker#index"),
		"web": {
			"base@linux/amd64", "base@linux/arm64",
			"web-debug@linux/amd64", "web-debug@linux/arm64", "web-slim@linux/amd64", "web-slim@linux/arm64",
		},
		"web --push": {
			"base@linux/amd64", "base@linux/arm64",
			"web-debug@linux/amd64", "web-debug@linux/arm64", "web-slim@linux/amd64", "web-slim@linux/arm64",
			"web-debug#index", "web-slim#index",
		},
	},
	"matrix/xbuild.hcl": {
		"default":        matrixSolves,
		"default --push": append(slices.Clone(matrixSolves), "app-go1-25#index", "app-go1-26#index"),
		"app":            matrixSolves,
		"app --push":     append(slices.Clone(matrixSolves), "app-go1-25#index", "app-go1-26#index"),
	},
}

var monorepoRelease = []string{
	"base@linux/amd64", "base@linux/arm64",
	"api@linux/amd64", "api@linux/arm64",
	"web-debug@linux/amd64", "web-debug@linux/arm64",
	"web-slim@linux/amd64", "web-slim@linux/arm64",
	"worker@linux/amd64", "worker@linux/arm64",
}

var monorepoCI = []string{
	"base@linux/amd64", "base@linux/arm64",
	"api@linux/amd64", "api@linux/arm64",
	"test@linux/amd64",
	"web-debug@linux/amd64", "web-debug@linux/arm64",
	"web-slim@linux/amd64", "web-slim@linux/arm64",
	"worker@linux/amd64", "worker@linux/arm64",
}

var matrixSolves = []string{
	"app-go1-25@linux/amd64", "app-go1-25@linux/arm64",
	"app-go1-26@linux/amd64", "app-go1-26@linux/arm64",
}

// exampleFiles are the bake files of every example, as paths relative to
// this folder.
func exampleFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, pattern := range []string{"*/xbuild.hcl", "*/*.json", "*/docker-bake.hcl"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range m {
			if strings.HasSuffix(f, ".json") && !isBakeJSON(f) {
				continue
			}
			files = append(files, filepath.ToSlash(f))
		}
	}
	slices.Sort(files)
	return files
}

// isBakeJSON tells a JSON bake file from other JSON in an example (it has
// a top-level "target" or "group").
func isBakeJSON(file string) bool {
	b, err := os.ReadFile(file)
	return err == nil && (strings.Contains(string(b), `"target"`) || strings.Contains(string(b), `"group"`))
}

func load(t *testing.T, file string) *bake.Config {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	// The name as the user types it from the repository root.
	name := path.Join("examples", file)
	parsed, _, diags := xhcl.Parse([]xhcl.File{{Name: name, Data: data}})
	requireNoErrors(t, "parse", diags)
	cfg, diags := bake.Load(parsed, bake.Options{
		// No environment: a REGISTRY or TAG set on this machine must not
		// change what the test sees.
		Builtins: map[string]string{
			"BAKE_CMD_CONTEXT":    "cwd://",
			"BAKE_LOCAL_PLATFORM": "linux/amd64",
		},
	})
	requireNoErrors(t, "load", diags)
	return cfg
}

func TestExamplesPlan(t *testing.T) {
	files := exampleFiles(t)
	var known []string
	for f := range wantNodes {
		known = append(known, f)
	}
	slices.Sort(known)
	if diff := cmp.Diff(known, files); diff != "" {
		t.Fatalf("example bake files and the test's table differ (-table +files):\n%s", diff)
	}
	for _, file := range files {
		t.Run(file, func(t *testing.T) {
			cfg := load(t, file)
			want := wantNodes[file]
			var requests []string
			for _, g := range cfg.GroupNames() {
				requests = append(requests, g, g+" --push")
			}
			// Targets that no group lists are planned too, when the table
			// names them (hello-emulated).
			for req := range want {
				if name := strings.TrimSuffix(req, " --push"); !slices.Contains(requests, req) && slices.Contains(cfg.TargetNames(), name) {
					requests = append(requests, req)
				}
			}
			slices.Sort(requests)
			var tested []string
			for _, req := range requests {
				t.Run(strings.ReplaceAll(req, " ", ""), func(t *testing.T) {
					ids := planIDs(t, cfg, req)
					w, ok := want[req]
					if !ok {
						t.Fatalf("no expected nodes for %q in the table; the plan has %q", req, ids)
					}
					if diff := cmp.Diff(w, ids); diff != "" {
						t.Errorf("node IDs of %q (-want +got):\n%s", req, diff)
					}
				})
				tested = append(tested, req)
			}
			for req := range want {
				if !slices.Contains(tested, req) {
					t.Errorf("the table expects %q, which is neither a group nor a target of %s", req, file)
				}
			}
		})
	}
}

// planIDs resolves a request ("GROUP" or "GROUP --push") and plans it as
// the CLI does for a builder whose default platform is linux/amd64.
func planIDs(t *testing.T, cfg *bake.Config, req string) []string {
	t.Helper()
	name, push := strings.CutSuffix(req, " --push")
	r := bake.Request{Targets: []string{name}}
	if push {
		r.Overrides = []string{"*.push=true"}
	}
	def, diags := cfg.Resolve(r)
	requireNoErrors(t, "resolve", diags)
	checkPaths(t, def)
	def.Tests, diags = cfg.Tests(def)
	requireNoErrors(t, "tests", diags)
	p, diags := plan.New(def, plan.Request{DefaultPlatform: "linux/amd64"})
	requireNoErrors(t, "plan", diags)
	ids := make([]string, 0, len(p.Nodes))
	for _, n := range p.Nodes {
		ids = append(ids, n.ID)
	}
	return ids
}

// checkPaths makes sure every target's context and Dockerfile exist when
// the example is run from the repository root, and that a context that is
// an example's own folder (the one with the bake file) has a .dockerignore,
// so that it sends only what the build needs.
func checkPaths(t *testing.T, def *bake.Definition) {
	t.Helper()
	for _, tg := range def.Targets {
		ctx := "."
		if tg.Context != nil {
			ctx = *tg.Context
		}
		if !strings.HasPrefix(ctx, "examples/") {
			t.Errorf("target %s: context %q is outside examples/", tg.Name, ctx)
			continue
		}
		dir := filepath.Join(repoRoot, filepath.FromSlash(ctx))
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			t.Errorf("target %s: context %s is not a folder (run from the repository root): %v", tg.Name, ctx, err)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "xbuild.hcl")); err == nil {
			if _, err := os.Stat(filepath.Join(dir, ".dockerignore")); err != nil {
				t.Errorf("target %s: context %s holds the whole example but has no .dockerignore", tg.Name, ctx)
			}
		}
		dockerfile := "Dockerfile"
		if tg.Dockerfile != nil {
			dockerfile = *tg.Dockerfile
		}
		if tg.DockerfileInline == nil {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(dockerfile))); err != nil {
				t.Errorf("target %s: %v", tg.Name, err)
			}
		}
		for name, c := range tg.Contexts {
			if !strings.HasPrefix(c, "target:") {
				t.Errorf("target %s: context %s=%q: the examples use only target: contexts", tg.Name, name, c)
			}
		}
	}
}

func requireNoErrors(t *testing.T, phase string, diags hcl.Diagnostics) {
	t.Helper()
	if diags.HasErrors() {
		for _, d := range diags {
			t.Log(d.Error())
		}
		t.Fatalf("%s: %d diagnostics with errors", phase, len(diags))
	}
	for _, d := range diags {
		t.Errorf("%s: unexpected warning: %s", phase, d.Error())
	}
}
