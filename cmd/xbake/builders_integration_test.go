package main

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// archFile is a bake file whose target records `uname -m` of each
// platform's RUN step, written to out/<platform>/arch.
func archFile(t *testing.T, dir, registry string, plats ...string) {
	t.Helper()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+registry+`/xbake/busybox\nRUN uname -m > /arch\n"
  platforms = ["`+strings.Join(plats, `", "`)+`"]
  output = ["type=local,dest=out"]
  no-cache = true
}
`)
}

// wantArch checks out/<folder>/arch, folder by folder: linux_arm64 for a
// multi-platform build, "" for one platform.
func wantArch(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	for sub, arch := range want {
		dt, err := os.ReadFile(filepath.Join(dir, "out", sub, "arch"))
		if err != nil || strings.TrimSpace(string(dt)) != arch {
			t.Errorf("out/%s: uname -m = %q (%v), want %s", sub, dt, err, arch)
		}
	}
}

// store writes a buildx builder store holding one builder, as buildx
// saves it, and returns the store folder for BUILDX_CONFIG.
func store(t *testing.T, name, instance string, current bool) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "instances"), 0o700); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "instances", name), instance)
	if current {
		writeFile(t, filepath.Join(dir, "current"), `{"Key":"","Name":"`+name+`","Global":true}`)
	}
	return dir
}

// A docker-container builder, as `docker buildx create --use --name NAME`
// makes one: its node's container runs BuildKit on the Docker engine that
// the node's docker context names, and it is buildx's current builder, so
// no flag names it. Stopped, it says how to start it.
func TestIntegrationDockerContainerBuilder(t *testing.T) {
	d := executortest.Docker(t)
	name := executortest.Unique("xbdc")
	container := d.BuildKitContainer(t, name+"0")
	dockerConfig := d.Context(t, name+"-ctx", false)
	// BuildKit's helper runs `docker --context=...`, which reads the
	// process's environment.
	t.Setenv("DOCKER_CONFIG", dockerConfig)
	bx := store(t, name, `{"Name":"`+name+`","Driver":"docker-container","Nodes":[{"Name":"`+name+`0","Endpoint":"`+name+`-ctx","Platforms":null,"DriverOpts":null,"Flags":["--allow-insecure-entitlement=network.host"],"Files":null}],"Dynamic":false}`, true)
	env := map[string]string{"BUILDX_CONFIG": bx, "DOCKER_CONFIG": dockerConfig, "BUILDKIT_HOST": ""}

	dir := t.TempDir()
	archFile(t, dir, d.Registry, "linux/amd64", "linux/arm64", "linux/arm/v7")
	code, out := cliRun(t, dir, env, "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wantArch(t, dir, map[string]string{"linux_amd64": "x86_64", "linux_arm64": "aarch64", "linux_arm_v7": "armv7l"})

	code, out = cliRun(t, dir, env, "builder", "inspect")
	if code != 0 {
		t.Fatalf("inspect: exit %d\n%s", code, out)
	}
	for _, want := range []string{"Driver:    docker-container", "Chosen by: the current buildx builder",
		"Endpoint:           container " + container + " on docker context " + name + "-ctx", "Status:             running",
		"BuildKit version:   " + moduleVersion("github.com/moby/buildkit"), "Emulated platforms: linux/arm64"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("inspect lacks %q:\n%s", want, out)
		}
	}

	code, out = cliRun(t, dir, env, "builder", "ls")
	row := regexp.MustCompile(`(?m)^ \\_ ` + name + `0 +container ` + container + ` on docker context ` + name + `-ctx +running +v\S+ +linux/amd64, .*; emulated: linux/arm64, .*linux/arm/v7`)
	if code != 0 || !strings.Contains(out.String(), name+" *") || !row.MatchString(out.String()) {
		t.Errorf("builder ls: exit %d, want the current builder marked and its node running:\n%s", code, out)
	}

	d.Docker(t, "stop", "--time", "1", container)
	code, out = cliRun(t, dir, env, "--progress=quiet")
	want := "xbake: builder " + name + ", node " + name + "0 (container " + container + " on docker context " + name + "-ctx) does not answer: container " + container + " is not running\n" +
		"Start it: `docker --context " + name + "-ctx start " + container + "` (or `docker buildx inspect --bootstrap " + name + "`).\n"
	if code != 1 || out.String() != want {
		t.Errorf("stopped: exit %d\n%s\nwant exit 1\n%s", code, out, want)
	}
}

// copyBase copies the stack's busybox to a repository of the test's own:
// the engine's classic image store keeps one platform per tag and reuses
// an image pulled earlier for another platform, so a shared tag could
// hand the docker driver the wrong architecture.
func copyBase(t *testing.T, env executortest.StackEnv) string {
	t.Helper()
	repo := env.Repo(t) + ":latest"
	if _, err := oci.NewClient().Create(context.Background(), []string{repo}, []string{env.Registry + "/xbake/busybox:latest"}, nil); err != nil {
		t.Fatal(err)
	}
	return repo
}

// The docker driver: `--builder CONTEXT` builds on the engine's own
// BuildKit (docker 20.10's is BuildKit 0.8), dialed through the engine's
// /grpc and /session endpoints, as buildx's default builder does.
func TestIntegrationDockerDriver(t *testing.T) {
	d := executortest.Docker(t)
	ctxName := executortest.Unique("xbctx")
	env := map[string]string{"DOCKER_CONFIG": d.Context(t, ctxName, false)}
	dir := t.TempDir()
	// The Dockerfile and a file of the context are read from disk, through
	// the session the engine's /session endpoint carries, as with any
	// project (an inline Dockerfile and no COPY need no local source).
	writeFile(t, filepath.Join(dir, "Dockerfile"), "FROM "+copyBase(t, d.StackEnv)+"\nCOPY greeting /greeting\nRUN uname -m > /arch\n")
	writeFile(t, filepath.Join(dir, "greeting"), "from the context\n")
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  output = ["type=local,dest=out"]
}
`)
	code, out := cliRun(t, dir, env, "--builder", ctxName, "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wantArch(t, dir, map[string]string{"": "x86_64"})
	if dt, err := os.ReadFile(filepath.Join(dir, "out", "greeting")); err != nil || string(dt) != "from the context\n" {
		t.Errorf("out/greeting = %q (%v), want the context's file", dt, err)
	}

	// --load: the engine's BuildKit stores the image itself.
	image := "xbake-test/" + ctxName + ":v1"
	t.Cleanup(func() { d.Docker(t, "image", "rm", "--force", image) })
	code, out = cliRun(t, dir, env, "--builder", ctxName, "--progress=quiet", "--set", "default.output=type=docker", "--set", "default.tags="+image)
	if code != 0 || !strings.Contains(out.String(), "docker:"+image) {
		t.Fatalf("--load: exit %d\n%s", code, out)
	}
	if got := strings.TrimSpace(d.Docker(t, "run", "--rm", image, "cat", "/arch")); got != "x86_64" {
		t.Errorf("the loaded image holds %q", got)
	}

	// A foreign platform on the classic image store: the plan says what
	// base images named by tag may do there.
	code, out = cliRun(t, dir, env, "--builder", ctxName, "--plan", "--set", "default.platform=linux/arm64")
	if warn := "xbake: warning: builder node " + ctxName + " builds linux/arm64 on a docker engine with the classic image store"; code != 0 || !strings.Contains(out.String(), warn) {
		t.Errorf("--plan for linux/arm64: exit %d, want the warning %q\n%s", code, warn, out)
	}
	if code, out = cliRun(t, dir, env, "--builder", ctxName, "--plan"); strings.Contains(out.String(), "classic image store") {
		t.Errorf("--plan for the engine's own platform warns: exit %d\n%s", code, out)
	}

	code, out = cliRun(t, dir, env, "doctor", "--builder", ctxName)
	for _, want := range []string{"Builder " + ctxName + " (docker driver), chosen by --builder\n",
		"ok       node " + ctxName + " answers (the BuildKit of docker context " + ctxName + "), BuildKit built into docker 20.10"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("doctor lacks %q:\n%s", want, out)
		}
	}
	if code != 0 {
		t.Errorf("doctor: exit %d\n%s", code, out)
	}
}

// --load of a multi-platform build into an engine that keeps one platform
// per tag (docker 20.10's classic store): one image per platform, tagged
// TAG-os-arch, each of which runs as its own architecture, as the seed
// story checks with `docker run --platform`.
func TestIntegrationLoadMultiPlatform(t *testing.T) {
	d := executortest.Docker(t)
	image := "xbake-test/" + executortest.Unique("load")
	t.Cleanup(func() {
		for _, s := range []string{"linux-amd64", "linux-arm64", "linux-arm-v7"} {
			d.Docker(t, "image", "rm", "--force", image+":v1-"+s)
		}
	})
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+d.Registry+`/xbake/busybox\nCMD [\"uname\", \"-m\"]\n"
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  tags = ["`+image+`:v1"]
}
`)
	code, out := cliRun(t, dir, map[string]string{"DOCKER_HOST": d.Host}, "--load", "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if want := "loaded per platform: default: the docker engine keeps one platform per tag (it does not use the containerd image store), so each platform was loaded under its own tag, TAG-os-arch (listed above), not under " + image + ":v1; see docs/compat.md\n"; !strings.Contains(out.String(), want) {
		t.Errorf("the summary does not say that the load went per platform:\n%s", out)
	}
	for _, c := range []struct{ platform, suffix, arch string }{
		{"linux/amd64", "linux-amd64", "x86_64"}, {"linux/arm64", "linux-arm64", "aarch64"}, {"linux/arm/v7", "linux-arm-v7", "armv7l"},
	} {
		if !strings.Contains(out.String(), "docker:docker.io/"+image+":v1-"+c.suffix) {
			t.Errorf("the summary does not name %s:v1-%s:\n%s", image, c.suffix, out)
		}
		got := strings.TrimSpace(d.Docker(t, "run", "--rm", "--platform", c.platform, image+":v1-"+c.suffix))
		if got != c.arch {
			t.Errorf("docker run --platform %s %s:v1-%s printed %q, want %s", c.platform, image, c.suffix, got, c.arch)
		}
	}
}

// --load finds the engine as the docker CLI does: here the current docker
// context of the configuration (`docker context use`), with DOCKER_HOST
// unset, and then DOCKER_CONTEXT naming it.
func TestIntegrationLoadDockerContext(t *testing.T) {
	d := executortest.Docker(t)
	name := executortest.Unique("xbctx")
	image := "xbake-test/" + name + ":v1"
	t.Cleanup(func() { d.Docker(t, "image", "rm", "--force", image) })
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+d.Registry+`/xbake/busybox\nRUN echo `+name+` > /id\n"
  tags = ["`+image+`"]
}
`)
	for _, env := range []map[string]string{
		{"DOCKER_CONFIG": d.Context(t, name, true)},
		{"DOCKER_CONFIG": d.Context(t, name, false), "DOCKER_CONTEXT": name},
	} {
		d.Docker(t, "image", "rm", "--force", image)
		code, out := cliRun(t, dir, env, "--load", "--progress=quiet")
		if code != 0 {
			t.Fatalf("%v: exit %d\n%s", env, code, out)
		}
		if got := strings.TrimSpace(d.Docker(t, "run", "--rm", image, "cat", "/id")); got != name {
			t.Errorf("%v: the loaded image holds %q", env, got)
		}
	}
	// A context that does not exist is a configuration error that names
	// the contexts there are.
	code, out := cliRun(t, dir, map[string]string{"DOCKER_CONFIG": d.Context(t, name, false), "DOCKER_CONTEXT": "nope"}, "--load", "--progress=quiet")
	if code != 2 || !strings.Contains(out.String(), `docker context "nope" (DOCKER_CONTEXT) does not exist; the contexts are: default, `+name) {
		t.Errorf("unknown context: exit %d\n%s", code, out)
	}
}

// freeAddr returns a loopback tcp:// address nothing listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}

// A remote builder of two nodes over tcp:// with mutual TLS, the way
// BuildKit is deployed on Kubernetes and joined with `docker buildx create
// --driver remote --driver-opt cacert=...,cert=...,key=... --append`:
// each node builds the platform declared for it. Without a client
// certificate the nodes refuse, and the error says so; a TLS file that
// does not exist is a configuration error (exit 2).
func TestIntegrationRemoteMutualTLS(t *testing.T) {
	env := executortest.Stack(t)
	certs := t.TempDir()
	executortest.Certs(t, certs)
	tlsFlags := []string{"--tlscacert", filepath.Join(certs, "ca.pem"), "--tlscert", filepath.Join(certs, "server.pem"), "--tlskey", filepath.Join(certs, "server-key.pem")}
	amd := executortest.StartDaemonAt(t, "linux/amd64", freeAddr(t), tlsFlags...)
	arm := executortest.StartDaemonAt(t, "linux/arm64", freeAddr(t), tlsFlags...)
	name := executortest.Unique("xbtls")
	instance := func(opts string) string {
		node := func(i int, endpoint, arch string) string {
			return `{"Name":"` + name + strconv.Itoa(i) + `","Endpoint":"` + endpoint + `","Platforms":[{"architecture":"` + arch + `","os":"linux"}],"DriverOpts":{` + opts + `},"Flags":null,"Files":null}`
		}
		return `{"Name":"` + name + `","Driver":"remote","Nodes":[` + node(0, amd, "amd64") + `,` + node(1, arm, "arm64") + `],"Dynamic":false}`
	}
	ca, cert, key := filepath.Join(certs, "ca.pem"), filepath.Join(certs, "cert.pem"), filepath.Join(certs, "key.pem")
	run := func(opts string, args ...string) (int, string, string) {
		bx := store(t, name, instance(opts), false)
		dir := t.TempDir()
		archFile(t, dir, env.Registry, "linux/amd64", "linux/arm64")
		code, out := cliRun(t, dir, map[string]string{"BUILDX_CONFIG": bx, "BUILDX_BUILDER": name},
			append([]string{"--progress=quiet", "--metadata-file", "meta.json"}, args...)...)
		return code, out.String(), dir
	}

	code, out, dir := run(`"cacert":"` + ca + `","cert":"` + cert + `","key":"` + key + `","servername":"localhost"`)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	wantArch(t, dir, map[string]string{"linux_amd64": "x86_64", "linux_arm64": "aarch64"})
	meta, _ := os.ReadFile(filepath.Join(dir, "meta.json"))
	var md map[string]struct {
		Platforms map[string]map[string]any `json:"xbake.platforms"`
	}
	if err := json.Unmarshal(meta, &md); err != nil {
		t.Fatalf("metadata: %v\n%s", err, meta)
	}
	for plat, node := range map[string]string{"linux/amd64": name + "0", "linux/arm64": name + "1"} {
		if ref, _ := md["default"].Platforms[plat]["buildx.build.ref"].(string); !strings.HasPrefix(ref, "xbake/"+node+"/") {
			t.Errorf("%s did not run on %s (buildx.build.ref %q):\n%s", plat, node, ref, meta)
		}
	}

	code, out, _ = run(`"cacert":"` + ca + `"`)
	if want := "xbake: builder " + name + ", node " + name + "0 (" + amd + ") does not answer: "; code != 1 || !strings.HasPrefix(out, want) ||
		!strings.Contains(out, "Check that buildkitd listens there with TLS, and that the CA, the client certificate and the server name match its certificates.") {
		t.Errorf("without a client certificate: exit %d\n%s", code, out)
	}

	missing := filepath.Join(certs, "missing.pem")
	code, out, _ = run(`"cacert":"` + missing + `","cert":"` + cert + `","key":"` + key + `"`)
	want := ": builder " + name + ", node " + name + "0: CA certificate " + missing + " does not exist\n"
	if code != 2 || !strings.HasSuffix(out, want) || strings.Contains(out, "Start BuildKit") {
		t.Errorf("missing CA file: exit %d\n%s", code, out)
	}
}

// DOCKER_HOST=ssh://USER@HOST reaches the engine through `ssh ... HOST
// docker system dial-stdio`, as the docker CLI does. There is no remote
// host here: an ssh shim runs the remote command on this machine, whose
// docker CLI bridges to the stack's engine.
func TestIntegrationLoadDockerHostSSH(t *testing.T) {
	d := executortest.Docker(t)
	shims := executortest.NewShims(t)
	shims.SSH(t, "DOCKER_HOST="+d.Host, "DOCKER_CONFIG="+t.TempDir())
	image := "xbake-test/" + executortest.Unique("ssh") + ":v1"
	t.Cleanup(func() { d.Docker(t, "image", "rm", "--force", image) })
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+d.Registry+`/xbake/busybox\nCMD [\"true\"]\n"
  tags = ["`+image+`"]
}
`)
	code, out := cliRun(t, dir, map[string]string{"DOCKER_HOST": "ssh://deploy@engine-host", "PATH": os.Getenv("PATH")}, "--load", "--progress=quiet")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	d.Docker(t, "image", "inspect", image)
	want := "ssh -l deploy -o ConnectTimeout=30 -T -- engine-host docker system dial-stdio"
	if calls := shims.Calls(t, "ssh"); len(calls) == 0 || calls[0] != want {
		t.Errorf("ssh calls %q, want %q", calls, want)
	}
}

// doctor on a node declared for a platform its BuildKit does not report,
// with this machine's QEMU handlers replaced by a copy that has one
// handler without the F flag and one missing: one line per problem, each
// with its fix, and exit code 1. builder ls shows the same node.
func TestIntegrationDoctorProblems(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	// sparc64: BuildKit looks for no emulator of it, so no daemon reports
	// it, whatever QEMU handlers the machine has.
	writeFile(t, filepath.Join(dir, "builders.json"), `[{"name": "local", "endpoint": "`+env.BuildKitHost+`", "platforms": ["linux/amd64", "linux/sparc64"]}]`)
	// The machine's QEMU handlers as they are (which emulators it has is
	// not this test's business), then two made broken and sparc64's gone.
	binfmt := filepath.Join(dir, "binfmt_misc")
	os.Mkdir(binfmt, 0o755)
	handlers, _ := filepath.Glob(filepath.Join(builder.BinfmtDir, "qemu-*"))
	for _, h := range handlers {
		dt, err := os.ReadFile(h)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(binfmt, filepath.Base(h)), string(dt))
	}
	os.Remove(filepath.Join(binfmt, "qemu-sparc64"))
	writeFile(t, filepath.Join(binfmt, "status"), "enabled\n")
	writeFile(t, filepath.Join(binfmt, "qemu-aarch64"), "enabled\ninterpreter /bin/sh\nflags: OC\n")
	writeFile(t, filepath.Join(binfmt, "qemu-arm"), "enabled\ninterpreter /nonexistent/qemu-arm-static\nflags: OCF\n")

	code, out := cliRun(t, dir, nil, "doctor", "--builders", "builders.json", "--binfmt-dir", binfmt)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	var problems []string
	for _, l := range lines {
		if strings.HasPrefix(l, "problem  ") {
			problems = append(problems, l)
		}
	}
	want := []string{
		"problem  node local is declared for linux/sparc64, but its BuildKit does not report it (it reports linux/amd64, linux/amd64/v2, ",
		"problem  QEMU for linux/arm64: the binfmt_misc handler qemu-aarch64 lacks the F (fix binary) flag",
		"problem  QEMU for linux/sparc64: no binfmt_misc handler qemu-sparc64 is registered; install QEMU's user-mode emulators",
	}
	if code != 1 || len(problems) != len(want) || lines[len(lines)-1] != "3 problem(s) found." {
		t.Fatalf("exit %d, %d problems:\n%s", code, len(problems), out)
	}
	for i, p := range problems {
		if !strings.HasPrefix(p, want[i]) {
			t.Errorf("problem %d:\n%s\nwant prefix\n%s", i, p, want[i])
		}
	}
	if !strings.Contains(out.String(), "ok       QEMU for linux/arm: qemu-arm enabled, interpreter /nonexistent/qemu-arm-static (removed since; the F flag keeps it open), flags OCF") {
		t.Errorf("the arm handler is fine:\n%s", out)
	}

	// The machine's own handlers, as the stack registers them, are fine.
	writeFile(t, filepath.Join(dir, "builders.json"), `[{"name": "local", "endpoint": "`+env.BuildKitHost+`"}]`)
	if code, out := cliRun(t, dir, nil, "doctor", "--builders", "builders.json"); code != 0 || !strings.HasSuffix(out.String(), "All is well.\n") {
		t.Errorf("doctor on the stack: exit %d\n%s", code, out)
	}
}

// A build that fails before exporting, with --load: the run ends with the
// build's error; the engine is not left waiting for the rest of an image
// (it was, and the run hung).
func TestIntegrationLoadFailedBuild(t *testing.T) {
	d := executortest.Docker(t)
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+d.Registry+`/xbake/busybox\nRUN echo `+executortest.Unique("fail")+` && false\n"
  tags = ["xbake-test/never:v1"]
}
`)
	code, out := cliRun(t, dir, map[string]string{"DOCKER_HOST": d.Host}, "--load", "--progress=quiet")
	if code != 1 || !strings.Contains(out.String(), "did not complete successfully") {
		t.Errorf("exit %d\n%s", code, out)
	}
}
