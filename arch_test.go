package xbake_test

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportArrows enforces the pipeline's one-way dependencies
// (DESIGN.md, "Pipeline and packages"): everything before execution is
// free of BuildKit, and no phase imports a later one.
func TestImportArrows(t *testing.T) {
	const mod = "github.com/xbake/xbake/"
	forbidden := map[string][]string{
		"hcl":      {mod + "bake", mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"bake":     {mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"plan":     {mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"schema":   {mod + "plan", mod + "executor", mod + "cmd", "github.com/moby/buildkit"},
		"executor": {mod + "cmd", "github.com/spf13/cobra"},
		// Finding and dialing builders knows nothing of what is built.
		"builder": {mod + "hcl", mod + "bake", mod + "plan", mod + "executor", mod + "cmd", "github.com/spf13/cobra"},
	}
	for _, pkg := range []string{"hcl", "bake", "plan", "schema", "executor", "builder"} {
		out, err := exec.Command("go", "list", "-deps", "./"+pkg+"/...").CombinedOutput()
		if err != nil {
			t.Fatalf("go list %s: %v\n%s", pkg, err, out)
		}
		for _, dep := range strings.Fields(string(out)) {
			for _, bad := range forbidden[pkg] {
				if dep == bad || strings.HasPrefix(dep, bad+"/") {
					t.Errorf("%s imports %s (directly or not); see DESIGN.md for the allowed arrows", pkg, dep)
				}
			}
		}
	}
}
