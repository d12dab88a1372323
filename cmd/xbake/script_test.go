package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		// The scripts' "xbake" is this very CLI, re-executed from the test
		// binary, so coverage counts and no build step is needed.
		"xbake": func() { os.Exit(run(newApp(), os.Args[1:])) },
	})
}

// TestScript runs the CLI scripts in testdata/script. XBAKE_UPDATE=1
// rewrites their expected outputs.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts:       os.Getenv("XBAKE_UPDATE") != "",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Setup: func(env *testscript.Env) error {
			// The stack's addresses, for scripts that build for real.
			for _, k := range []string{"BUILDKIT_HOST", "XBAKE_REGISTRY", "CI"} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			return nil
		},
	})
}
