package main

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/xbake/xbake/executor/executortest"
)

// TestReleaseBinaryAsDockerPlugin builds this machine's release binary
// with scripts/release.sh (make release for one platform), checks what
// it is, then installs it as a plugin of the real docker CLI and runs
// "docker xbake" (no engine needed).
func TestReleaseBinaryAsDockerPlugin(t *testing.T) {
	docker, err := exec.LookPath("docker")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the docker CLI is not installed")
		}
		t.Skip("the docker CLI is not installed")
	}
	const (
		ver  = "v9.9.9-test"
		rev  = "0123456789abcdef0123456789abcdef01234567"
		date = "2025-01-02T03:04:05Z"
	)
	dist := t.TempDir()
	name := "xbake-" + runtime.GOOS + "-" + runtime.GOARCH
	bin := filepath.Join(dist, name)
	want := buildInfo{Version: ver, Commit: rev, Date: date}.String() + "\n"

	t.Run("release", func(t *testing.T) {
		rel := exec.Command(filepath.Join("..", "..", "scripts", "release.sh"))
		rel.Env = append(os.Environ(), "DIST="+dist, "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, "VERSION="+ver, "COMMIT="+rev, "DATE="+date)
		if out, err := rel.CombinedOutput(); err != nil {
			t.Fatalf("release.sh: %v\n%s", err, out)
		}
		data, err := os.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		if w := hex.EncodeToString(sum[:]) + "  " + name + "\n"; string(sums) != w {
			t.Errorf("SHA256SUMS = %q, want %q", sums, w)
		}
		bi, err := buildinfo.ReadFile(bin)
		if err != nil {
			t.Fatal(err)
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		// (Go records no -ldflags with -trimpath: the version line shows the stamp.)
		if settings["CGO_ENABLED"] != "0" || settings["-trimpath"] != "true" {
			t.Errorf("not a static, trimmed build: %v", settings)
		}
		for _, args := range [][]string{{"version"}, {"--version"}} {
			out, err := exec.Command(bin, args...).Output()
			if err != nil || string(out) != want {
				t.Errorf("%s %s = %q, %v; want %q", name, args[0], out, err, want)
			}
		}
	})
	if _, err := os.Stat(bin); err != nil {
		t.Fatal("no release binary to go on with")
	}

	// The plugin lives in the config folder's cli-plugins; a second
	// folder holds credentials and is named with --config only.
	cfg := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cfg, "cli-plugins"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(bin)
	if err := os.WriteFile(filepath.Join(cfg, "cli-plugins", "docker-xbake"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	project := t.TempDir()
	writeFile(t, filepath.Join(project, "docker-bake.hcl"), `group "default" { targets = ["app", "tools"] }
target "app" { platforms = ["linux/amd64", "linux/arm64"] }
target "tools" { tags = ["localhost:5000/tools"] }
`)
	dockerCmd := func(env []string, args ...string) (int, string, string) {
		t.Helper()
		c := exec.Command(docker, args...)
		c.Dir = project
		c.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "DOCKER_CONFIG=" + cfg}, env...)
		var stdout, stderr bytes.Buffer
		c.Stdout, c.Stderr = &stdout, &stderr
		err := c.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatal(err)
		}
		return c.ProcessState.ExitCode(), stdout.String(), stderr.String()
	}

	t.Run("listed by the docker CLI", func(t *testing.T) {
		_, out, errOut := dockerCmd(nil, "--help")
		if !strings.Contains(out+errOut, "\n  xbake*      Build multi-platform images from bake files, per platform and in parallel\n") {
			t.Errorf("docker --help does not list the plugin:\n%s%s", out, errOut)
		}
	})
	t.Run("version", func(t *testing.T) {
		code, out, errOut := dockerCmd(nil, "xbake", "version")
		if code != 0 || out != want {
			t.Errorf("docker xbake version: exit %d, %q, stderr %q; want %q", code, out, errOut, want)
		}
	})
	t.Run("print", func(t *testing.T) {
		direct := exec.Command(bin, "--print")
		direct.Dir = project
		direct.Env = []string{"PATH=" + os.Getenv("PATH")}
		wantOut, err := direct.Output()
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := dockerCmd(nil, "xbake", "--print")
		if code != 0 || out != string(wantOut) || errOut != "" {
			t.Errorf("docker xbake --print: exit %d, stderr %q\n%s\nwant\n%s", code, errOut, out, wantOut)
		}
	})
	t.Run("completion", func(t *testing.T) {
		// The docker CLI's completion asks the plugin with "__complete xbake ...".
		code, out, errOut := dockerCmd(nil, "__complete", "xbake", "--print", "")
		if want := "app\ndefault\tgroup: app, tools\ntools\n:4\n"; code != 0 || out != want {
			t.Errorf("docker __complete xbake: exit %d, %q, stderr %q; want %q", code, out, errOut, want)
		}
	})
	t.Run("exit code", func(t *testing.T) {
		code, _, errOut := dockerCmd(nil, "xbake", "--print", "nosuch")
		if code != exitUsage || !strings.Contains(errOut, `The target "nosuch": there is no target or group of that name`) {
			t.Errorf("exit %d, stderr %q; want 2 and the unknown target", code, errOut)
		}
	})
	t.Run("--config", func(t *testing.T) {
		// Credentials only in creds/config.json, which only --config names;
		// the docker CLI finds the plugin there too.
		host := testRegistry(t, "ci", "plugin-secret")
		creds := t.TempDir()
		auth := base64.StdEncoding.EncodeToString([]byte("ci:plugin-secret"))
		writeFile(t, filepath.Join(creds, "config.json"), `{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`)
		if err := os.MkdirAll(filepath.Join(creds, "cli-plugins"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(filepath.Join(cfg, "cli-plugins", "docker-xbake"), filepath.Join(creds, "cli-plugins", "docker-xbake")); err != nil {
			t.Fatal(err)
		}
		dg := write(t, host+"/private:amd64", platformImage(t, "linux", "amd64", ""), remote.WithAuth(&authn.Basic{Username: "ci", Password: "plugin-secret"}))
		code, out, errOut := dockerCmd(nil, "--config", creds, "xbake", "imagetools", "inspect", host+"/private:amd64")
		if code != 0 || !strings.Contains(out, "Digest:    "+dg) {
			t.Errorf("docker --config: exit %d, stdout %q, stderr %q", code, out, errOut)
		}
	})
	t.Run("--context and -D", func(t *testing.T) {
		if code, _, errOut := dockerCmd(nil, "context", "create", "xbake-test", "--docker", "host=unix:///nonexistent/docker.sock"); code != 0 {
			t.Fatalf("docker context create: %s", errOut)
		}
		// --context beats DOCKER_HOST, as in the docker CLI.
		code, _, errOut := dockerCmd([]string{"DOCKER_HOST=unix:///elsewhere.sock"}, "--context", "xbake-test", "-D", "xbake", "--print")
		wantEnv := "DEBUG: environment: DOCKER_CONFIG=" + cfg + " DOCKER_CONTEXT=xbake-test DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND=" + docker + "\n"
		if code != 0 || !strings.Contains(errOut, wantEnv) {
			t.Errorf("exit %d, stderr:\n%s\nwant the line %q", code, errOut, wantEnv)
		}
	})
	t.Run("interrupted through the plugin socket", func(t *testing.T) {
		// Signalled while its output is not a terminal, the docker CLI does
		// not forward the signal: it closes the plugin socket.
		env := executortest.Stack(t)
		dir := t.TempDir()
		writeFile(t, filepath.Join(dir, "docker-bake.hcl"), `target "default" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo plugin-socket-test && sleep 120\n"
  no-cache = true
}
`)
		c := exec.Command(docker, "xbake", "--progress=plain")
		c.Dir = dir
		c.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "DOCKER_CONFIG=" + cfg, "BUILDKIT_HOST=" + env.BuildKitHost}
		out := &syncBuffer{}
		c.Stdout, c.Stderr = out, out
		if err := c.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(2 * time.Minute)
		started := regexp.MustCompile(`(?m)^#\d+ \d+\.\d+ plugin-socket-test$`)
		for !started.MatchString(out.String()) {
			if time.Now().After(deadline) {
				_ = c.Process.Kill()
				t.Fatalf("the build did not start:\n%s", out)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if err := c.Process.Signal(os.Interrupt); err != nil {
			t.Fatal(err)
		}
		_ = c.Wait()
		if code := c.ProcessState.ExitCode(); code != exitInterrupt || !strings.Contains(out.String(), "xbake: interrupted") {
			t.Errorf("exit %d, want %d and the interruption:\n%s", code, exitInterrupt, out)
		}
		t.Log(out)
	})
}
