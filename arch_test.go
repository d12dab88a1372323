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
// (DESIGN.md, "Pipeline and packages"): everything before execution is
// free of BuildKit's client side, and no phase imports a later one.
func TestImportArrows(t *testing.T) {
	const (
		mod      = "github.com/xbake/xbake/"
		buildkit = "github.com/moby/buildkit"
		grpc     = "google.golang.org/grpc"
	)
	forbidden := map[string][]string{
		"hcl":        {mod + "bake", mod + "plan", mod + "executor", mod + "cmd", buildkit, grpc},
		"bake":       {mod + "plan", mod + "executor", mod + "cmd", buildkit, grpc},
		"plan":       {mod + "dockerfile", mod + "executor", mod + "cmd", buildkit, grpc},
		"schema":     {mod + "plan", mod + "executor", mod + "cmd", buildkit, grpc},
		"dockerfile": {mod + "plan", mod + "executor", mod + "cmd", buildkit, grpc},
		"executor":   {mod + "cmd", "github.com/spf13/cobra"},
	}
	allowed := map[string][]string{"dockerfile": dockerfileParser}
	for _, pkg := range []string{"hcl", "bake", "plan", "schema", "dockerfile", "executor"} {
		out, err := exec.Command("go", "list", "-deps", "./"+pkg+"/...").CombinedOutput()
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
					t.Errorf("%s imports %s (directly or not); see DESIGN.md for the allowed arrows", pkg, dep)
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
