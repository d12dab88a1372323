package xbake_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// actionFile is what the test reads of action.yml.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Value string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID    string            `yaml:"id"`
			Shell string            `yaml:"shell"`
			Env   map[string]string `yaml:"env"`
			Run   string            `yaml:"run"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

func readAction(t *testing.T) actionFile {
	t.Helper()
	b, err := os.ReadFile("action.yml")
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(b, &a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a
}

// bake-action's inputs, which the Action must have, and its output.
var bakeActionInputs = []string{"files", "targets", "set", "push", "load", "provenance", "sbom", "no-cache", "pull", "workdir"}

func TestActionDefinition(t *testing.T) {
	a := readAction(t)
	if a.Runs.Using != "composite" || len(a.Runs.Steps) != 1 || a.Runs.Steps[0].Shell != "bash" {
		t.Fatalf("runs: %+v; want one bash step of a composite action", a.Runs)
	}
	step := a.Runs.Steps[0]
	for _, in := range append(bakeActionInputs, "version") {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("input %q is missing", in)
		}
	}
	// A composite action gets no INPUT_* variables: every input must be
	// passed to the script explicitly.
	for in := range a.Inputs {
		want := "XBAKE_INPUT_" + strings.ToUpper(strings.ReplaceAll(in, "-", "_"))
		if got := step.Env[want]; got != "${{ inputs."+in+" }}" {
			t.Errorf("env %s = %q, want the input %s", want, got, in)
		}
	}
	if got := a.Outputs["metadata"].Value; got != "${{ steps."+step.ID+".outputs.metadata }}" {
		t.Errorf("output metadata = %q", got)
	}
}

// actionRun is one run of the Action's step as GitHub runs it.
type actionRun struct {
	code    int
	log     string
	outputs map[string]string
	path    []string // lines added to GITHUB_PATH
	temp    string   // RUNNER_TEMP
}

// installed lists the files the run installed (in RUNNER_TEMP/xbake-bin).
func (r actionRun) installed(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(r.temp, "xbake-bin"))
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// runAction runs action.yml's step with inputs (the others take their
// defaults) in workspace, with GitHub's variables, as the runner would.
func runAction(t *testing.T, workspace string, inputs map[string]string, env ...string) actionRun {
	t.Helper()
	a := readAction(t)
	step := a.Runs.Steps[0]
	root, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for in := range inputs {
		if _, ok := a.Inputs[in]; !ok {
			t.Fatalf("action.yml has no input %q", in)
		}
	}
	expr := regexp.MustCompile(`\$\{\{\s*([a-z_.-]+)\s*\}\}`)
	var stepEnv []string
	for _, k := range slices.Sorted(mapKeys(step.Env)) {
		v := expr.ReplaceAllStringFunc(step.Env[k], func(m string) string {
			e := expr.FindStringSubmatch(m)[1]
			if in, ok := strings.CutPrefix(e, "inputs."); ok {
				if v, given := inputs[in]; given {
					return v
				}
				return a.Inputs[in].Default
			}
			if e == "github.action_path" {
				return root
			}
			t.Fatalf("env %s: unknown expression %s", k, e)
			return ""
		})
		stepEnv = append(stepEnv, k+"="+v)
	}
	tmp, temp := t.TempDir(), t.TempDir()
	output, pathFile := filepath.Join(tmp, "output"), filepath.Join(tmp, "path")
	for _, f := range []string{output, pathFile} {
		if err := os.WriteFile(f, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	arch := map[string]string{"amd64": "X64", "arm64": "ARM64"}[runtime.GOARCH]
	cmd := exec.Command("bash", "-c", step.Run)
	cmd.Dir = workspace
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "GOFLAGS=" + os.Getenv("GOFLAGS"),
		"GOCACHE=" + goEnv(t, "GOCACHE"), "GOMODCACHE=" + goEnv(t, "GOMODCACHE"),
		"GITHUB_ACTIONS=true", "GITHUB_WORKSPACE=" + workspace, "RUNNER_OS=Linux", "RUNNER_ARCH=" + arch,
		"RUNNER_TEMP=" + temp, "GITHUB_OUTPUT=" + output, "GITHUB_PATH=" + pathFile,
		"DOCKER_CONFIG=" + t.TempDir(),
	}, append(stepEnv, env...)...)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err = cmd.Run()
	r := actionRun{code: cmd.ProcessState.ExitCode(), log: log.String(), outputs: readOutputs(t, output), temp: temp}
	if err != nil && r.code == -1 {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(pathFile)
	r.path = strings.Fields(string(b))
	return r
}

// readOutputs parses a GITHUB_OUTPUT file: name=value and
// name<<DELIMITER ... DELIMITER.
func readOutputs(t *testing.T, file string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if name, delim, ok := strings.Cut(line, "<<"); ok {
			var val []string
			for sc.Scan() && sc.Text() != delim {
				val = append(val, sc.Text())
			}
			out[name] = strings.Join(val, "\n")
		} else if name, v, ok := strings.Cut(line, "="); ok {
			out[name] = v
		}
	}
	return out
}

func goEnv(t *testing.T, k string) string {
	out, err := exec.Command("go", "env", k).Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// releaseServer serves this machine's release (scripts/release.sh: the
// front build xbake-OS-ARCH and the full build xbake-engine-OS-ARCH) as
// GitHub serves release assets, under version and "latest", and under
// "v0.0.0-tampered-" followed by a file's name, the same release with a
// SHA256SUMS whose entry for that file does not match. It returns the
// server's URL and the release's file names, the front first.
func releaseServer(t *testing.T, version string) (string, []string) {
	t.Helper()
	dist := t.TempDir()
	rel := exec.Command(filepath.Join("scripts", "release.sh"))
	rel.Env = append(os.Environ(), "DIST="+dist, "PLATFORMS="+runtime.GOOS+"/"+runtime.GOARCH, "VERSION="+version)
	if out, err := rel.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, out)
	}
	sums, err := os.ReadFile(filepath.Join(dist, "SHA256SUMS"))
	if err != nil {
		t.Fatal(err)
	}
	suffix := "-" + runtime.GOOS + "-" + runtime.GOARCH
	names := []string{"xbake" + suffix, "xbake-engine" + suffix}
	mux := http.NewServeMux()
	files := http.FileServer(http.Dir(dist))
	mux.Handle("/download/"+version+"/", http.StripPrefix("/download/"+version, files))
	mux.Handle("/latest/download/", http.StripPrefix("/latest/download", files))
	for _, name := range names {
		file, err := os.ReadFile(filepath.Join(dist, name))
		if err != nil {
			t.Fatal(err)
		}
		good, bad := sha256.Sum256(file), sha256.Sum256([]byte("not the binary"))
		tampered := bytes.Replace(sums, []byte(hex.EncodeToString(good[:])), []byte(hex.EncodeToString(bad[:])), 1)
		prefix := "/download/v0.0.0-tampered-" + name
		mux.Handle(prefix+"/", http.StripPrefix(prefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/SHA256SUMS" {
				_, _ = w.Write(tampered)
				return
			}
			files.ServeHTTP(w, r)
		})))
	}
	s := httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s.URL, names
}

// TestActionEntryScript runs the Action's step against the local stack:
// install xbake and xbake-engine from a release (both checked against
// SHA256SUMS) or, when the release cannot be downloaded, from source;
// bake with bake-action's inputs; the metadata output is the metadata
// file's JSON.
func TestActionEntryScript(t *testing.T) {
	stack := executortest.Stack(t)
	const version = "v0.0.0-action-test"
	releases, names := releaseServer(t, version)
	pair := []string{"xbake", "xbake-engine"}
	repo := fmt.Sprintf("%s/xbake-action-test/app-%08x", stack.Registry, rand.Uint32())

	workspace := t.TempDir()
	proj := filepath.Join(workspace, "proj")
	if err := os.MkdirAll(proj, 0o755); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, filepath.Join(proj, "a.hcl"), `target "app" {
  dockerfile-inline = "FROM `+stack.Registry+`/xbake/busybox\nARG LIST\nLABEL list=$LIST\n"
  platforms         = ["linux/amd64", "linux/arm64"]
}
target "other" {
  dockerfile-inline = "FROM `+stack.Registry+`/xbake/busybox\n"
}
`)
	writeTestFile(t, filepath.Join(proj, "b.hcl"), `target "app" {
  tags = ["`+repo+`:v1"]
}
`)
	env := []string{"BUILDKIT_HOST=" + stack.BuildKitHost, "XBAKE_RELEASES=" + releases}

	t.Run("release", func(t *testing.T) {
		r := runAction(t, workspace, map[string]string{
			"version": version,
			"workdir": "proj",
			"files":   "a.hcl\nb.hcl",
			"targets": "app",
			"set":     "app.args.LIST=a,b\n  *.labels.from=action  \n",
			"push":    "true",
		}, env...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.log)
		}
		if !strings.Contains(r.log, "\nxbake "+version+" (") {
			t.Errorf("the release was not installed:\n%s", r.log)
		}
		wantCmd := "xbake --file a.hcl --file b.hcl --set app.args.LIST=a,b --set *.labels.from=action --push --metadata-file "
		if !strings.Contains(r.log, "\n"+wantCmd) || !strings.Contains(r.log, " app\n") {
			t.Errorf("the command line is not %q ... app:\n%s", wantCmd, r.log)
		}
		if len(r.path) != 1 || r.path[0] != filepath.Join(r.temp, "xbake-bin") {
			t.Errorf("GITHUB_PATH = %v, want the install folder", r.path)
		}
		if got := r.installed(t); !slices.Equal(got, pair) {
			t.Errorf("installed %v, want %v", got, pair)
		}
		// The build ran in the release's engine.
		out, err := exec.Command(filepath.Join(r.temp, "xbake-bin", "xbake-engine"), "version").Output()
		if err != nil || !strings.HasPrefix(string(out), "xbake "+version+" (") {
			t.Errorf("the installed xbake-engine is %q, %v; want the release", out, err)
		}
		var meta map[string]map[string]any
		if err := json.Unmarshal([]byte(r.outputs["metadata"]), &meta); err != nil {
			t.Fatalf("metadata output %q: %v", r.outputs["metadata"], err)
		}
		dg, _ := meta["app"]["containerimage.digest"].(string)
		if meta["app"]["image.name"] != repo+":v1" || !strings.HasPrefix(dg, "sha256:") || len(meta) != 1 {
			t.Errorf("metadata = %v", meta)
		}
		d, err := oci.NewClient().Details(context.Background(), repo+":v1")
		if err != nil {
			t.Fatal(err)
		}
		if d.Descriptor.Digest.String() != dg || len(d.Platforms) != 2 {
			t.Errorf("%s:v1 is %s with %v, metadata says %s", repo, d.Descriptor.Digest, d.Platforms, dg)
		}
		if cfg := d.Config("linux/arm64"); cfg == nil || cfg.Config.Labels["list"] != "a,b" || cfg.Config.Labels["from"] != "action" {
			t.Errorf("the --set values did not reach the build: %+v", cfg)
		}
	})
	t.Run("tampered release", func(t *testing.T) {
		for _, name := range names {
			r := runAction(t, workspace, map[string]string{"version": "v0.0.0-tampered-" + name, "workdir": "proj", "targets": "other"}, env...)
			if r.code != 1 || !strings.Contains(r.log, "::error title=xbake::"+name+" does not match its SHA256SUMS entry") || len(r.path) != 0 || len(r.installed(t)) != 0 {
				t.Errorf("%s tampered: exit %d, path %v, installed %v:\n%s", name, r.code, r.path, r.installed(t), r.log)
			}
		}
	})
	t.Run("source fallback", func(t *testing.T) {
		r := runAction(t, workspace, map[string]string{"version": "v9.9.9-missing", "workdir": "proj", "files": "a.hcl", "targets": "other", "no-cache": "true"}, env...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s", r.code, r.log)
		}
		for _, want := range []string{"::warning title=xbake::could not download xbake v9.9.9-missing; building the action's own checkout instead", "--no-cache"} {
			if !strings.Contains(r.log, want) {
				t.Errorf("log lacks %q:\n%s", want, r.log)
			}
		}
		// A source build is not a release: "dev", or Go's pseudo-version of
		// the checkout where git's metadata is there to read.
		if !regexp.MustCompile(`\nxbake (dev|v0\.0\.0-\d{14}-[0-9a-f]{12}(\+dirty)?) \(`).MatchString(r.log) {
			t.Errorf("log lacks the version line of a source build:\n%s", r.log)
		}
		if got := r.installed(t); !slices.Equal(got, pair) {
			t.Errorf("built %v, want %v", got, pair)
		}
		var meta map[string]any
		if err := json.Unmarshal([]byte(r.outputs["metadata"]), &meta); err != nil || meta["other"] == nil {
			t.Errorf("metadata output %q: %v", r.outputs["metadata"], err)
		}
	})
	t.Run("invalid input", func(t *testing.T) {
		r := runAction(t, workspace, map[string]string{"version": version, "workdir": "proj", "push": "yes"}, env...)
		if r.code != 1 || !strings.Contains(r.log, `::error title=xbake::input push is "yes": use true or false`) {
			t.Errorf("exit %d:\n%s", r.code, r.log)
		}
	})
	t.Run("failed build", func(t *testing.T) {
		writeTestFile(t, filepath.Join(proj, "bad.hcl"), `target "bad" {
  dockerfile-inline = "FROM `+stack.Registry+`/xbake/busybox\nRUN exit 3\n"
}
`)
		r := runAction(t, workspace, map[string]string{"version": version, "workdir": "proj", "files": "bad.hcl", "targets": "bad"}, env...)
		// The metadata output says why the build failed, as the metadata
		// file does after a failure.
		var meta map[string]map[string]map[string]string
		if err := json.Unmarshal([]byte(r.outputs["metadata"]), &meta); err != nil {
			t.Fatalf("metadata output %q: %v", r.outputs["metadata"], err)
		}
		failed := meta["bad"]["xbake.failed"]["bad@linux/amd64"]
		if r.code != 1 || !strings.Contains(failed, "exit code: 3") {
			t.Errorf("exit %d, xbake.failed %q; want 1 and the RUN's exit code:\n%s", r.code, failed, r.log)
		}
	})
}

func writeTestFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// examples/matrix's workflow builds with the Action, with inputs it has.
func TestExampleWorkflowUsesAction(t *testing.T) {
	a := readAction(t)
	b, err := os.ReadFile(filepath.Join("examples", "matrix", "github-workflow.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(b, &wf); err != nil {
		t.Fatal(err)
	}
	uses := 0
	for _, job := range slices.Sorted(mapKeys(wf.Jobs)) {
		for _, st := range wf.Jobs[job].Steps {
			if !strings.HasPrefix(st.Uses, "xbake/xbake@") {
				continue
			}
			uses++
			for in := range st.With {
				if _, ok := a.Inputs[in]; !ok {
					t.Errorf("job %s passes %q, which action.yml does not declare", job, in)
				}
			}
		}
	}
	if uses == 0 {
		t.Error("the workflow does not use the Action (uses: xbake/xbake@...)")
	}
}
