package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
	testscript.Run(t, scriptParams(nil))
}

// scriptParams runs the scripts of testdata/script, after setup if not nil.
func scriptParams(setup func(*testscript.Env) error) testscript.Params {
	return testscript.Params{
		Dir:                 filepath.Join("..", "..", "testdata", "script"),
		UpdateScripts:       os.Getenv("XBAKE_UPDATE") != "",
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode": cmdExitCode,
		},
		Setup: func(env *testscript.Env) error {
			// The stack's addresses, for scripts that build for real.
			for _, k := range []string{"BUILDKIT_HOST", "XBAKE_REGISTRY", "CI"} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			if setup != nil {
				return setup(env)
			}
			return nil
		},
	}
}

// cmdExitCode runs a command and checks its exit code:
//
//	exitcode 2 xbake --print
//
// Its stdout and stderr are then checked like exec's.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode CODE command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}
