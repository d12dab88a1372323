package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/xbake/xbake/builder"
)

// buildCLI builds this package into dir/name with extra go build flags.
func buildCLI(t testing.TB, dir, name string, flags ...string) string {
	t.Helper()
	bin := filepath.Join(dir, name)
	args := append(append([]string{"build", "-o", bin}, flags...), ".")
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return bin
}

// TestScriptFront runs the CLI scripts against the pair `make build`
// installs: the front build as xbake, which hands builds, imagetools and
// Compose files to the full build next to it, xbake-engine. Every script
// passes through the pair as it passes in-process.
func TestScriptFront(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI twice")
	}
	dir := t.TempDir()
	buildCLI(t, dir, "xbake", "-tags", "xbakefront")
	buildCLI(t, dir, engineName)
	testscript.Run(t, scriptParams(func(env *testscript.Env) error {
		env.Setenv("PATH", dir+string(os.PathListSeparator)+env.Getenv("PATH"))
		return nil
	}))
}

// The front build runs what only reads HCL and JSON itself, and hands the
// rest to the engine with the same arguments and stdin. The engine here is
// a script that says what it got.
func TestFrontHandsOver(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the CLI")
	}
	bin := buildCLI(t, t.TempDir(), "xbake", "-tags", "xbakefront")
	dir := t.TempDir()
	engine := filepath.Join(dir, "fake-engine")
	writeFile(t, engine, "#!/bin/sh\necho \"engine $*\"\ncat\n")
	if err := os.Chmod(engine, 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "app.hcl"), "target \"app\" {\n  context = \".\"\n}\n")
	writeFile(t, filepath.Join(dir, "compose.yaml"), "services:\n  web:\n    build: .\n")
	// A definition with a warning: a command handed over after the front
	// printed it would print it twice (the output starts with "engine").
	writeFile(t, filepath.Join(dir, "warn.hcl"), "target \"app\" {\n  context = \".\"\n  tag = [\"x\"]\n}\n")
	run := func(env, stdin string, args ...string) (string, int) {
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir}
		if env != "" {
			cmd.Env = append(cmd.Env, env)
		}
		cmd.Stdin = strings.NewReader(stdin)
		out, _ := cmd.CombinedOutput()
		return string(out), cmd.ProcessState.ExitCode()
	}
	withEngine := "XBAKE_ENGINE=" + engine
	for _, tt := range []struct {
		args  []string
		stdin string
		want  string // the output starts with it
	}{
		// Its own: no engine is asked for.
		{[]string{"version"}, "", "xbake "},
		{[]string{"-f", "app.hcl", "--print", "app"}, "", "{\n  \"group\""},
		{[]string{"-f", "app.hcl", "--list", "targets"}, "", "TARGET"},
		{[]string{"-f", "app.hcl", "--plan", "app"}, "", "{\n  \"solves\""},
		{[]string{"graph", "-f", "app.hcl", "--format", "json", "app"}, "", "{"},
		{[]string{"--help"}, "", "xbake reads bake files"},
		{[]string{"-f", "app.hcl", "--plan", "--atomic", "app"}, "", "{\n  \"solves\""},
		{[]string{"schema"}, "", "{"},
		{[]string{"completion", "bash"}, "", "# bash completion"},
		{[]string{"__complete", "-f", "app.hcl", ""}, "", "app\n"},
		{[]string{"docker-cli-plugin-metadata"}, "", "{\n     \"SchemaVersion\""},
		// The engine's, unchanged; stdin is still unread.
		{[]string{"-f", "app.hcl", "app", "--progress=plain"}, "", "engine -f app.hcl app --progress=plain\n"},
		{[]string{"-f", "app.hcl", "--call", "check", "app"}, "", "engine -f app.hcl --call check app\n"},
		// --plan with a builder asks the builder's nodes.
		{[]string{"-f", "app.hcl", "--plan", "--builders", "b.json", "app"}, "", "engine -f app.hcl --plan --builders b.json app\n"},
		{[]string{"-f", "app.hcl", "--plan", "--builder", "farm", "app"}, "", "engine -f app.hcl --plan --builder farm app\n"},
		// --plan that reads Dockerfiles with BuildKit's parser or asks the
		// registry, before anything is printed.
		{[]string{"-f", "warn.hcl", "--plan", "--builder-platforms", "linux/arm64", "app"}, "", "engine -f warn.hcl --plan --builder-platforms linux/arm64 app\n"},
		{[]string{"-f", "warn.hcl", "--plan", "--explain", "app"}, "", "engine -f warn.hcl --plan --explain app\n"},
		{[]string{"-f", "warn.hcl", "--plan", "--skip-unchanged", "app"}, "", "engine -f warn.hcl --plan --skip-unchanged app\n"},
		{[]string{"graph", "-f", "warn.hcl", "--builder-platforms", "linux/arm64", "app"}, "", "engine graph -f warn.hcl --builder-platforms linux/arm64 app\n"},
		{[]string{"-f", "warn.hcl", "app", "--push", "--atomic", "--skip-unchanged", "--no-test", "--no-preflight", "--node-timeout", "1m"}, "",
			"engine -f warn.hcl app --push --atomic --skip-unchanged --no-test --no-preflight --node-timeout 1m\n"},
		{[]string{"builder", "ls"}, "", "engine builder ls\n"},
		{[]string{"builder", "inspect", "--tlsdir", "certs", "tcp://127.0.0.1:1234"}, "", "engine builder inspect --tlsdir certs tcp://127.0.0.1:1234\n"},
		{[]string{"doctor", "--builder", "farm"}, "", "engine doctor --builder farm\n"},
		{[]string{"-f", "compose.yaml", "--print"}, "", "engine -f compose.yaml --print\n"},
		{[]string{"--print"}, "", "engine --print\n"}, // compose.yaml is a default name
		{[]string{"-f", "-", "--print"}, "target \"x\" {}\n", "engine -f - --print\ntarget \"x\" {}\n"},
		{[]string{"imagetools", "inspect", "--raw", "r/x"}, "", "engine imagetools inspect --raw r/x\n"},
		{[]string{"help", "imagetools", "create"}, "", "engine help imagetools create\n"},
		{[]string{"__complete", "imagetools", ""}, "", "engine __complete imagetools \n"},
		{[]string{"https://example.com/defs.tar.gz", "--print"}, "", "engine https://example.com/defs.tar.gz --print\n"},
	} {
		got, code := run(withEngine, tt.stdin, tt.args...)
		if code != 0 || !strings.HasPrefix(got, tt.want) {
			t.Errorf("xbake %s: exit %d\n%s\nwant output starting with %q", strings.Join(tt.args, " "), code, got, tt.want)
		}
		if !strings.HasPrefix(tt.want, "engine") && strings.Contains(got, "engine") {
			t.Errorf("xbake %s ran the engine:\n%s", strings.Join(tt.args, " "), got)
		}
	}
	// --affected-since runs git and reads ignore files: the front's own.
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "x"}} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	if got, code := run(withEngine, "", "-f", "app.hcl", "--list", "type=targets,format=json", "--affected-since", "HEAD"); code != 0 || got != "[]\n" {
		t.Errorf("--list --affected-since: exit %d\n%s", code, got)
	}

	// The front links no BuildKit client, yet names its version.
	if got, _ := run("", "", "version"); !regexp.MustCompile(`buildkit[a-z ]* v\d+\.\d+`).MatchString(got) {
		t.Errorf("xbake version names no BuildKit version: %s", got)
	}
	// Without an engine, the commands it serves say how to get one.
	if got, code := run("", "", "-f", "app.hcl", "app"); code != exitFailure || !strings.Contains(got, "xbake-engine") {
		t.Errorf("no engine: exit %d\n%s", code, got)
	}
	if got, code := run("", "", "-f", "app.hcl", "--print", "app"); code != 0 {
		t.Errorf("--print needs no engine, yet exit %d\n%s", code, got)
	}
	// With --debug, the front prints the debug header and tells the engine
	// so, which then does not print it again.
	writeFile(t, engine, "#!/bin/sh\necho \"engine header shown=$"+debugHeaderShownEnv+"\"\n")
	got, _ := run(withEngine, "", "--debug", "-f", "app.hcl", "app")
	if want := "DEBUG: xbake "; !strings.HasPrefix(got, want) || !strings.HasSuffix(got, "engine header shown=1\n") {
		t.Errorf("xbake --debug, handed over:\n%s\nwant the front's header, then the engine told so", got)
	}
}

// The front build names the default address without linking package builder.
func TestDefaultBuildKitHost(t *testing.T) {
	if defaultBuildKitHost != builder.DefaultBuildKitHost {
		t.Errorf("defaultBuildKitHost = %q, builder.DefaultBuildKitHost = %q", defaultBuildKitHost, builder.DefaultBuildKitHost)
	}
}
