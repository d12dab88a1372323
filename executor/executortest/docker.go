package executortest

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// DockerEnv is the stack's Docker engine (scripts/stack.sh's docker
// component): Debian's dockerd with its own socket, and a BuildKit image
// made from the stack's buildkitd for docker-container builders.
type DockerEnv struct {
	StackEnv
	Host          string // XBAKE_DOCKER_HOST: unix:///run/xbake/docker.sock
	BuildKitImage string // XBAKE_BUILDKIT_IMAGE: xbake/buildkit:<version>
}

var dockerProbe struct {
	once sync.Once
	err  error
}

// Docker returns the stack's engine for an integration test; like Stack,
// it skips the test without it, or fails it when CI is set. The docker
// CLI must be on PATH: tests drive the engine with it, as a user would.
func Docker(t testing.TB) DockerEnv {
	t.Helper()
	env := DockerEnv{StackEnv: Stack(t), Host: os.Getenv("XBAKE_DOCKER_HOST"), BuildKitImage: os.Getenv("XBAKE_BUILDKIT_IMAGE")}
	if env.Host == "" || env.BuildKitImage == "" {
		unavailable(t, "XBAKE_DOCKER_HOST or XBAKE_BUILDKIT_IMAGE not set (the stack's docker component)")
		return env
	}
	if !strings.HasPrefix(env.Host, "unix://") {
		unavailable(t, fmt.Sprintf("XBAKE_DOCKER_HOST %q: tests use only a local engine on a unix socket", env.Host))
		return env
	}
	dockerProbe.once.Do(func() {
		if _, err := exec.LookPath("docker"); err != nil {
			dockerProbe.err = fmt.Errorf("the docker CLI is not on PATH")
			return
		}
		if _, err := env.run("image", "inspect", "--format", "{{.Id}}", env.BuildKitImage); err != nil {
			dockerProbe.err = fmt.Errorf("the engine at %s does not answer or lacks %s: %v", env.Host, env.BuildKitImage, err)
		}
	})
	if dockerProbe.err != nil {
		unavailable(t, dockerProbe.err.Error())
	}
	return env
}

// run runs the docker CLI against the stack's engine only, with an
// empty configuration.
func (d DockerEnv) run(args ...string) (string, error) {
	cmd := exec.Command("docker", args...)
	// A configuration folder that does not exist: no context, no
	// credentials, nothing of the machine's user.
	cmd.Env = append(os.Environ(), "DOCKER_HOST="+d.Host, "DOCKER_CONTEXT=", "DOCKER_CONFIG="+filepath.Join(os.TempDir(), "xbake-no-docker-config"))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("docker %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// Docker runs the docker CLI against the stack's engine and returns its
// standard output; it fails the test when the command fails.
func (d DockerEnv) Docker(t testing.TB, args ...string) string {
	t.Helper()
	out, err := d.run(args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// Unique returns a name no other test run uses: prefix plus random hex,
// lower case (docker container, context and image names).
func Unique(prefix string) string {
	var b [4]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// BuildKitContainer starts the container of a docker-container builder's
// node, buildx_buildkit_<node>, as DESIGN.md's recipe says (buildx cannot
// bootstrap one here: the sandbox refuses --privileged), with its state
// in a volume as buildx does, and waits until its BuildKit answers. The
// container and volume are removed when the test ends.
func (d DockerEnv) BuildKitContainer(t testing.TB, node string) string {
	t.Helper()
	name := "buildx_buildkit_" + node
	volume := name + "_state"
	t.Cleanup(func() {
		d.run("rm", "--force", name)
		d.run("volume", "rm", "--force", volume)
	})
	d.Docker(t, "run", "--detach", "--name", name,
		"--cap-add", "ALL", "--cap-drop", "SYS_RESOURCE",
		"--security-opt", "seccomp=unconfined", "--security-opt", "apparmor=unconfined", "--security-opt", "systempaths=unconfined",
		"--volume", "/sys/fs/cgroup:/sys/fs/cgroup:rw", "--volume", volume+":/var/lib/buildkit",
		"--network", "host", d.BuildKitImage, "--oci-worker=true", "--containerd-worker=false")
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := d.run("exec", name, "buildctl", "debug", "workers")
		if err == nil {
			return name
		}
		if time.Now().After(deadline) {
			logs, _ := d.run("logs", "--tail", "20", name)
			t.Fatalf("BuildKit in %s did not start: %v\n%s", name, err, logs)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Context creates a docker context for the stack's engine in a new docker
// configuration folder, with `docker context create` (and makes it the
// current one with `docker context use` when current), and returns the
// folder, for DOCKER_CONFIG.
func (d DockerEnv) Context(t testing.TB, name string, current bool) string {
	t.Helper()
	dir := t.TempDir()
	cmds := [][]string{{"--config", dir, "context", "create", name, "--docker", "host=" + d.Host}}
	if current {
		cmds = append(cmds, []string{"--config", dir, "context", "use", name})
	}
	for _, args := range cmds {
		cmd := exec.Command("docker", args...)
		cmd.Env = append(os.Environ(), "DOCKER_HOST=", "DOCKER_CONTEXT=")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("docker %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "contexts", "meta")); err != nil {
		t.Fatalf("docker context create wrote no context: %v", err)
	}
	return dir
}
