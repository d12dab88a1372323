package main

import (
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/xbake/xbake/executor/executortest"
)

// TestReleaseBinaryAsDockerPlugin builds this machine's release with
// scripts/release.sh (make release for one platform): the front build
// xbake-OS-ARCH and the full build xbake-engine-OS-ARCH. It checks what
// they are, then installs them as README says, as docker-xbake and
// xbake-engine in a plugin folder of the real docker CLI, and runs
// "docker xbake": what the front serves itself (no engine, no builder
// needed) and what it hands to the engine.
func TestReleaseBinaryAsDockerPlugin(t *testing.T) {
	const (
		ver  = "v9.9.9-test"
		rev  = "0123456789abcdef0123456789abcdef01234567"
		date = "2025-01-02T03:04:05Z"
	)
	dist := t.TempDir()
	suffix := "-" + runtime.GOOS + "-" + runtime.GOARCH
	front, engine := filepath.Join(dist, "xbake"+suffix), filepath.Join(dist, engineName+suffix)
	want := buildInfo{Version: ver, Commit: rev, Date: date}.String() + "\n"

	t.Run("release", func(t *testing.T) {
		rel := exec.Command(filepath.Join("..", "..", "scripts", "release.sh"))
		rel.Env = append(os.Environ(), "DIST="+dist, "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, "VERSION="+ver, "COMMIT="+rev, "DATE="+date)
		if out, err := rel.CombinedOutput(); err != nil {
			t.Fatalf("release.sh: %v\n%s", err, out)
		}
		var sums strings.Builder
		for _, bin := range []string{engine, front} { // in the order of their names
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&sums, "%x  %s\n", sha256.Sum256(data), filepath.Base(bin))
		}
		got, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != sums.String() {
			t.Errorf("SHA256SUMS = %q, want %q", got, sums.String())
		}
		for _, bin := range []string{front, engine} {
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
				t.Errorf("%s is not a static, trimmed build: %v", filepath.Base(bin), settings)
			}
			for _, args := range [][]string{{"version"}, {"--version"}} {
				out, err := exec.Command(bin, args...).Output()
				if err != nil || string(out) != want {
					t.Errorf("%s %s = %q, %v; want %q", filepath.Base(bin), args[0], out, err, want)
				}
			}
		}
	})
	for _, bin := range []string{front, engine} {
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("no release binaries to go on with")
		}
	}

	t.Run("the front links no BuildKit client", func(t *testing.T) {
		// What makes the full build start slowly; each is checked in the
		// engine too, so that a renamed module cannot pass unnoticed.
		// (The front links BuildKit's module for its version package only.)
		modules := []string{"google.golang.org/grpc", "github.com/compose-spec/compose-go/v2", "go.opentelemetry.io/otel", "github.com/google/go-containerregistry"}
		// Stripped binaries keep their functions' names for stack traces.
		const clientPkg = "github.com/moby/buildkit/client."
		for _, bin := range []string{front, engine} {
			bi, err := buildinfo.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			data, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			isFront := bin == front
			for _, m := range modules {
				if linked := slices.ContainsFunc(bi.Deps, func(d *debug.Module) bool { return d.Path == m }); linked == isFront {
					t.Errorf("%s links %s: %v", filepath.Base(bin), m, linked)
				}
			}
			if linked := bytes.Contains(data, []byte(clientPkg)); linked == isFront {
				t.Errorf("%s links %s: %v", filepath.Base(bin), strings.TrimSuffix(clientPkg, "."), linked)
			}
		}
	})

	docker, err := exec.LookPath("docker")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("the docker CLI is not installed")
		}
		t.Skip("the docker CLI is not installed")
	}
	// The plugin lives in the config folder's cli-plugins; a second
	// folder holds credentials and is named with --config only.
	cfg := t.TempDir()
	plugins := filepath.Join(cfg, "cli-plugins")
	installFile(t, front, filepath.Join(plugins, "docker-xbake"))
	installFile(t, engine, filepath.Join(plugins, engineName))
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
	if code, _, errOut := dockerCmd(nil, "context", "create", "xbake-test", "--docker", "host=unix:///nonexistent/docker.sock"); code != 0 {
		t.Fatalf("docker context create: %s", errOut)
	}
	// What the front serves works with an engine that cannot run.
	noEngine := []string{"XBAKE_ENGINE=" + filepath.Join(t.TempDir(), "no-engine")}

	t.Run("listed by the docker CLI", func(t *testing.T) {
		_, out, errOut := dockerCmd(nil, "--help")
		if !strings.Contains(out+errOut, "\n  xbake*      Build multi-platform images from bake files, per platform and in parallel\n") {
			t.Errorf("docker --help does not list the plugin:\n%s%s", out, errOut)
		}
	})
	t.Run("version", func(t *testing.T) {
		code, out, errOut := dockerCmd(noEngine, "xbake", "version")
		if code != 0 || out != want {
			t.Errorf("docker xbake version: exit %d, %q, stderr %q; want %q", code, out, errOut, want)
		}
	})
	t.Run("print", func(t *testing.T) {
		direct := exec.Command(front, "--print")
		direct.Dir = project
		direct.Env = []string{"PATH=" + os.Getenv("PATH")}
		wantOut, err := direct.Output()
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := dockerCmd(noEngine, "xbake", "--print")
		if code != 0 || out != string(wantOut) || errOut != "" {
			t.Errorf("docker xbake --print: exit %d, stderr %q\n%s\nwant\n%s", code, errOut, out, wantOut)
		}
	})
	t.Run("completion", func(t *testing.T) {
		// The docker CLI's completion asks the plugin with "__complete xbake ...".
		code, out, errOut := dockerCmd(noEngine, "__complete", "xbake", "--print", "")
		if want := "app\ndefault\tgroup: app, tools\ntools\n:4\n"; code != 0 || out != want {
			t.Errorf("docker __complete xbake: exit %d, %q, stderr %q; want %q", code, out, errOut, want)
		}
	})
	t.Run("exit code", func(t *testing.T) {
		code, _, errOut := dockerCmd(noEngine, "xbake", "--print", "nosuch")
		if code != exitUsage || !strings.Contains(errOut, `The target "nosuch": there is no target or group of that name`) {
			t.Errorf("exit %d, stderr %q; want 2 and the unknown target", code, errOut)
		}
	})
	t.Run("handed over", func(t *testing.T) {
		// The front replaces itself with the engine next to it, which gets
		// the same arguments (the docker CLI's global flags and the
		// plugin's name among them) and the environment they set. A
		// wrapper as XBAKE_ENGINE records them.
		rec := filepath.Join(t.TempDir(), "engine-args")
		wrapper := filepath.Join(t.TempDir(), "engine")
		writeFile(t, wrapper, "#!/bin/sh\nprintf '%s\\n' \"DOCKER_CONTEXT=$DOCKER_CONTEXT\" \"$@\" >"+rec+"\nexec "+filepath.Join(plugins, engineName)+" \"$@\"\n")
		if err := os.Chmod(wrapper, 0o755); err != nil {
			t.Fatal(err)
		}
		args := []string{"--context", "xbake-test", "xbake", "imagetools", "inspect", "--help"}
		wantHelp, err := exec.Command(engine, "imagetools", "inspect", "--help").Output()
		if err != nil {
			t.Fatal(err)
		}
		code, out, errOut := dockerCmd([]string{"XBAKE_ENGINE=" + wrapper}, args...)
		got, _ := os.ReadFile(rec)
		if w := "DOCKER_CONTEXT=xbake-test\n" + strings.Join(args, "\n") + "\n"; code != 0 || string(got) != w || out != string(wantHelp) {
			t.Errorf("docker %s: exit %d, stderr %q; the engine got\n%s\nwant\n%s\nand printed\n%s", strings.Join(args, " "), code, errOut, got, w, out)
		}
		// Without XBAKE_ENGINE, the engine next to docker-xbake.
		code, out, errOut = dockerCmd(nil, "xbake", "builder", "ls")
		if code != 0 || !strings.HasPrefix(out, "NAME/NODE ") {
			t.Errorf("docker xbake builder ls: exit %d, stderr %q\n%s", code, errOut, out)
		}
	})
	t.Run("no engine", func(t *testing.T) {
		// docker-xbake alone: what needs the engine says what to install where.
		alone := t.TempDir()
		installFile(t, front, filepath.Join(alone, "cli-plugins", "docker-xbake"))
		code, out, errOut := dockerCmd([]string{"DOCKER_CONFIG=" + alone, "PATH=" + filepath.Dir(docker)}, "xbake", "builder", "ls")
		for _, w := range []string{
			"xbake: this command runs in xbake-engine, the full build of xbake",
			"  from a release: " + filepath.Base(engine) + " of the same release (" + ver + "), saved as " + filepath.Join(alone, "cli-plugins", engineName) + "\n",
			"  as a docker CLI plugin: the same file, saved as xbake-engine next to docker-xbake in the cli-plugins folder\n",
		} {
			if code != exitFailure || out != "" || !strings.Contains(errOut, w) {
				t.Errorf("exit %d, stdout %q, stderr:\n%s\nwant exit 1 and %q", code, out, errOut, w)
			}
		}
	})
	t.Run("--config", func(t *testing.T) {
		// Credentials only in creds/config.json, which only --config names;
		// the docker CLI finds the plugin there too, a link to docker-xbake,
		// which finds the engine next to the file it links to.
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
		// --context beats DOCKER_HOST, as in the docker CLI.
		code, _, errOut := dockerCmd(append(noEngine, "DOCKER_HOST=unix:///elsewhere.sock"), "--context", "xbake-test", "-D", "xbake", "--print")
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

// installFile copies the file src to dst, executable, creating dst's folder.
func installFile(t *testing.T, src, dst string) {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, data, 0o755); err != nil {
		t.Fatal(err)
	}
}
