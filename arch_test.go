package xbake_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// dockerfileParser is the part of BuildKit that package dockerfile may
// use: the Dockerfile frontend's own parser (parser, instructions, shell,
// with the command and linter packages they need) and the two utility
// packages they import (errors with stacks, "did you mean"). Reading a
// Dockerfile as the build reads it is better done by the build's own code
// than by a copy; everything that talks to a daemon (client, session,
// solver, gateway) stays out of every phase before execution, and plan
// stays free of BuildKit altogether (the caller hands it a reader).
var dockerfileParser = []string{
	"github.com/moby/buildkit/frontend/dockerfile/command",
	"github.com/moby/buildkit/frontend/dockerfile/instructions",
	"github.com/moby/buildkit/frontend/dockerfile/linter",
	"github.com/moby/buildkit/frontend/dockerfile/parser",
	"github.com/moby/buildkit/frontend/dockerfile/shell",
	"github.com/moby/buildkit/util/stack",
	"github.com/moby/buildkit/util/suggest",
}

// TestImportArrows enforces the pipeline's one-way dependencies
// (docs/architecture.md, "Packages and arrows"): everything before
// execution is free of BuildKit, and no phase imports a later one.
func TestImportArrows(t *testing.T) {
	const mod = "github.com/xbake/xbake/"
	forbidden := map[string][]string{
		"hcl/...":      {mod + "bake", mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"bake":         {mod + "bake/compose", mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit", "github.com/compose-spec/compose-go"},
		"bake/compose": {mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"plan/...":     {mod + "dockerfile", mod + "executor", mod + "cmd", "github.com/moby/buildkit", "google.golang.org/grpc"},
		"dockerfile":   {mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit", "google.golang.org/grpc"},
		// The base-image check asks the registry through a Lookup the CLI
		// gives it, so that it needs no registry client.
		"preflight":    {mod + "executor", mod + "cmd", "github.com/moby/buildkit", "google.golang.org/grpc", "github.com/google/go-containerregistry"},
		"schema/...":   {mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"executor/...": {mod + "cmd", "github.com/spf13/cobra"},
		// Finding and dialing builders knows nothing of what is built.
		"builder/...": {mod + "hcl", mod + "bake", mod + "plan", mod + "executor", mod + "cmd", "github.com/spf13/cobra"},
		// What reaches a solve, and --affected-since, serve the front build.
		"inputs":   {mod + "dockerfile", mod + "executor", mod + "cmd", "github.com/moby/buildkit", "google.golang.org/grpc", "github.com/tonistiigi/fsutil"},
		"affected": {mod + "dockerfile", mod + "executor", mod + "cmd", "github.com/moby/buildkit", "google.golang.org/grpc", "github.com/tonistiigi/fsutil"},
		// Input digests are computed without a builder.
		"digests": {mod + "executor", mod + "cmd", "github.com/moby/buildkit", "google.golang.org/grpc", "github.com/google/go-containerregistry"},
	}
	allowed := map[string][]string{"dockerfile": dockerfileParser, "preflight": dockerfileParser, "digests": dockerfileParser}
	for _, pkg := range []string{"hcl/...", "bake", "bake/compose", "plan/...", "dockerfile", "preflight", "schema/...", "executor/...", "builder/...", "inputs", "affected", "digests"} {
		out, err := exec.Command("go", "list", "-deps", "./"+pkg).CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		deps := strings.Fields(string(out))
		for _, dep := range deps {
			if slices.Contains(allowed[pkg], dep) {
				continue
			}
			for _, bad := range forbidden[pkg] {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s imports %s (directly or not); see docs/architecture.md for the allowed arrows", pkg, dep)
				}
			}
		}
		// An allowance that nothing uses any more is one to remove.
		for _, ok := range allowed[pkg] {
			if !slices.Contains(deps, ok) {
				t.Errorf("%s is allowed %s but no longer imports it: drop it from the list", pkg, ok)
			}
		}
	}
}

// TestFrontImports keeps the front build of the CLI (cmd/xbake with
// -tags xbakefront, see cmd/xbake/engine.go) free of what makes the full
// build slow to start: it hands builds, imagetools, Compose files and
// remote definitions to the full build instead of linking them.
func TestFrontImports(t *testing.T) {
	const mod = "github.com/xbake/xbake/"
	forbidden := []string{mod + "executor", mod + "bake/compose", "github.com/moby/buildkit",
		"github.com/compose-spec/compose-go", "github.com/santhosh-tekuri/jsonschema", "google.golang.org/grpc",
		"go.opentelemetry.io", "github.com/docker/cli", "github.com/google/go-containerregistry", "net/http"}
	// Linked only so that `xbake version` can name BuildKit's version.
	allowed := "github.com/moby/buildkit/version"
	out, err := exec.Command("go", "list", "-deps", "-tags", "xbakefront", "./cmd/xbake").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, bad := range forbidden {
			if dep != allowed && (dep == bad || strings.HasPrefix(dep, bad+"/")) {
				t.Errorf("the front build links %s", dep)
			}
		}
	}
}

// TestLocalfileIsALeaf: reading and resolving local files serves every
// package (the front build and package builder included), so it imports
// nothing but the standard library.
func TestLocalfileIsALeaf(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", "./localfile").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	if got := strings.Fields(string(out)); !slices.Equal(got, []string{"github.com/xbake/xbake/localfile"}) {
		t.Errorf("localfile links %q", got)
	}
}
