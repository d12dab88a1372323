package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// runImagetools runs "xbake imagetools ARGS" in-process with env as the
// whole environment, under a parent wired like the root command, and
// returns stdout, stderr and the exit code run() would give.
func runImagetools(t *testing.T, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	return runImagetoolsIn(t, t.TempDir(), env, args...)
}

// runImagetoolsIn is runImagetools in the working directory dir.
func runImagetoolsIn(t *testing.T, dir string, env map[string]string, args ...string) (string, string, int) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr,
		getenv: func(k string) string { return env[k] },
		environ: func() []string {
			var out []string
			for k, v := range env {
				out = append(out, k+"="+v)
			}
			return out
		},
		getwd: func() (string, error) { return dir, nil },
	}
	root := &cobra.Command{Use: "xbake", SilenceUsage: true, SilenceErrors: true}
	root.SetOut(&stdout)
	root.SetErr(&stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	root.AddCommand(newImagetoolsCmd(a))
	root.SetArgs(append([]string{"imagetools"}, args...))
	err := root.ExecuteContext(context.Background())
	if err == nil {
		return stdout.String(), stderr.String(), exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return stdout.String(), stderr.String() + ee.msg, ee.code
	}
	return stdout.String(), stderr.String() + err.Error(), exitFailure
}

// testRegistry is ggcr's in-memory registry on 127.0.0.1, behind basic
// auth when user is not empty.
func testRegistry(t *testing.T, user, pass string) string {
	t.Helper()
	h := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, _ := r.BasicAuth(); user != "" && (u != user || p != pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`, http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return strings.TrimPrefix(s.URL, "http://")
}

func platformImage(t *testing.T, os, arch, variant string) v1.Image {
	t.Helper()
	img, err := random.Image(256, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = os, arch, variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return mutate.ConfigMediaType(mutate.MediaType(img, types.OCIManifestSchema1), types.OCIConfigJSON)
}

func write(t *testing.T, ref string, img v1.Image, opts ...remote.Option) string {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(r, img, opts...); err != nil {
		t.Fatal(err)
	}
	d, _ := img.Digest()
	return d.String()
}

// fixture pushes repo:amd64, repo:arm64 and repo:multi, an index of both
// with an attestation manifest, and returns the digests by name.
func fixture(t *testing.T, repo string) map[string]string {
	t.Helper()
	amd, arm := platformImage(t, "linux", "amd64", ""), platformImage(t, "linux", "arm", "v7")
	att := platformImage(t, "unknown", "unknown", "")
	d := map[string]string{"amd64": write(t, repo+":amd64", amd), "arm": write(t, repo+":arm", arm)}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}}},
		mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": d["amd64"]},
		}},
	)
	r, _ := name.ParseReference(repo+":multi", name.Insecure)
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	ad, _ := att.Digest()
	id, _ := idx.Digest()
	d["att"], d["multi"] = ad.String(), id.String()
	return d
}

func TestImagetoolsInspectText(t *testing.T) {
	repo := testRegistry(t, "", "") + "/app"
	d := fixture(t, repo)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir()}

	out, errOut, code := runImagetools(t, env, "inspect", repo+":multi")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := fmt.Sprintf(`Name:      %[1]s:multi
MediaType: application/vnd.oci.image.index.v1+json
Digest:    %[2]s

Manifests:
  Name:        %[1]s@%[3]s
  MediaType:   application/vnd.oci.image.manifest.v1+json
  Platform:    linux/amd64

  Name:        %[1]s@%[4]s
  MediaType:   application/vnd.oci.image.manifest.v1+json
  Platform:    linux/arm/v7

  Name:        %[1]s@%[5]s
  MediaType:   application/vnd.oci.image.manifest.v1+json
  Platform:    unknown/unknown
  Annotations:
    vnd.docker.reference.digest: %[3]s
    vnd.docker.reference.type:   attestation-manifest
`, repo, d["multi"], d["amd64"], d["arm"], d["att"])
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}

	out, errOut, code = runImagetools(t, env, "inspect", repo+":arm")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want = fmt.Sprintf("Name:      %s:arm\nMediaType: application/vnd.oci.image.manifest.v1+json\nDigest:    %s\nPlatform:  linux/arm/v7\n", repo, d["arm"])
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("single image output (-want +got):\n%s", diff)
	}
}

func TestImagetoolsInspectJSON(t *testing.T) {
	repo := testRegistry(t, "", "") + "/app"
	d := fixture(t, repo)
	out, errOut, code := runImagetools(t, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "inspect", "--format", "json", repo+":multi")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	ms := got["manifests"].([]any)
	if got["name"] != repo+":multi" || got["digest"] != d["multi"] || got["mediaType"] != "application/vnd.oci.image.index.v1+json" || len(ms) != 3 {
		t.Fatalf("json = %s", out)
	}
	for i, w := range []struct{ digest, os, arch, variant string }{
		{d["amd64"], "linux", "amd64", ""}, {d["arm"], "linux", "arm", "v7"}, {d["att"], "unknown", "unknown", ""},
	} {
		m := ms[i].(map[string]any)
		p := m["platform"].(map[string]any)
		v, _ := p["variant"].(string)
		if m["digest"] != w.digest || m["name"] != repo+"@"+w.digest || p["os"] != w.os || p["architecture"] != w.arch || v != w.variant {
			t.Errorf("manifest %d = %v, want %+v", i, m, w)
		}
	}
	if att := ms[2].(map[string]any); att["attestation"] != true {
		t.Errorf("attestation manifest not marked: %v", att)
	}
}

func TestImagetoolsCreate(t *testing.T) {
	repo := testRegistry(t, "", "") + "/app"
	d := fixture(t, repo)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir()}

	dry, errOut, code := runImagetools(t, env, "create", "--dry-run", "--annotation", "index:org.opencontainers.image.title=app", repo+":amd64", repo+":arm")
	if code != exitOK {
		t.Fatalf("dry run: exit %d: %s", code, errOut)
	}
	var idx struct {
		MediaType   string            `json:"mediaType"`
		Annotations map[string]string `json:"annotations"`
		Manifests   []struct {
			Digest   string            `json:"digest"`
			Platform map[string]string `json:"platform"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal([]byte(dry), &idx); err != nil {
		t.Fatalf("dry run printed %q: %v", dry, err)
	}
	if idx.MediaType != "application/vnd.oci.image.index.v1+json" || idx.Annotations["org.opencontainers.image.title"] != "app" || len(idx.Manifests) != 2 ||
		idx.Manifests[0].Digest != d["amd64"] || idx.Manifests[1].Digest != d["arm"] || idx.Manifests[1].Platform["variant"] != "v7" {
		t.Errorf("dry run index = %s", dry)
	}

	out, errOut, code := runImagetools(t, env, "create", "-t", repo+":v1", "--annotation", "index:org.opencontainers.image.title=app", repo+":amd64", repo+":arm")
	if code != exitOK {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	// The dry run printed exactly what was then pushed.
	wantDigest := "sha256:" + sha256Hex(strings.TrimSuffix(dry, "\n"))
	if out != wantDigest+"\n" {
		t.Errorf("create printed %q, want the digest of the dry run's index %s", out, wantDigest)
	}
	in, err := oci.NewClient(oci.WithDockerConfig(env["DOCKER_CONFIG"])).Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	if in.Digest.String() != wantDigest || len(in.Manifests) != 2 || in.Manifests[1].Platform.Variant != "v7" {
		t.Errorf("%s:v1 = %+v", repo, in)
	}
}

func TestImagetoolsUsageErrors(t *testing.T) {
	env := map[string]string{"DOCKER_CONFIG": t.TempDir()}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"inspect"}, "inspect takes one image reference, got 0"},
		{[]string{"inspect", "--format", "yaml", "localhost:5000/app"}, `invalid --format "yaml": use text, json or a Go template`},
		{[]string{"inspect", "Bad//Ref"}, `invalid image reference "Bad//Ref"`},
		{[]string{"inspect", "--nope", "x"}, "unknown flag: --nope"},
		{[]string{"create", "localhost:5000/app:a"}, "create needs at least one -t/--tag"},
		{[]string{"create", "-t", "localhost:5000/app:v1"}, "create needs at least one source image"},
		{[]string{"create", "-t", "localhost:5000/app@sha256:x", "localhost:5000/app:a"}, `invalid tag "localhost:5000/app@sha256:x"`},
		{[]string{"create", "-t", "localhost:5000/app:v1", "--annotation", "novalue", "localhost:5000/app:a"}, `invalid --annotation "novalue"`},
		{[]string{"create", "-t", "localhost:5000/app:v1", "--annotation", "manifest:a=b", "localhost:5000/app:a"}, "the manifests are reused as they are"},
		{[]string{"create", "-t", "localhost:5000/app:v1", "--annotation", "index-descriptor:a=b", "localhost:5000/app:a"}, "index-descriptor annotations are invalid while creating an image"},
		{[]string{"create", "-t", "localhost:5000/app:v1", "--annotation", "manifest-descriptor[linux/bogus/arch/x]:a=b", "localhost:5000/app:a"}, `invalid --annotation "manifest-descriptor[linux/bogus/arch/x]:a=b"`},
		{[]string{"create", "-t", "localhost:5000/app:v1", "--platform", "linux/amd64,not/a/valid/platform", "localhost:5000/app:a"}, `invalid --platform "not/a/valid/platform"`},
		{[]string{"create", "-t", "localhost:5000/app:v1", "-f", "missing.json"}, "-f missing.json: no such file or directory"},
		{[]string{"create", "--dry-run", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}, "no repository to find it in"},
		{[]string{"create", "-t", "localhost:5000/app:v1", `{"schemaVersion":2}`}, "not a descriptor of one"},
		{[]string{"create", "-t", "localhost:5000/app:v1", "--progress", "fancy", "localhost:5000/app:a"}, `invalid --progress "fancy"`},
		{[]string{"inspect", "--raw", "--format", "json", "localhost:5000/app"}, "--format and --raw cannot be used together"},
		{[]string{"inspect", "--format", "{{.Nope", "localhost:5000/app"}, "invalid --format template"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, errOut, code := runImagetools(t, env, tc.args...)
			if code != exitUsage || !strings.Contains(errOut, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit 2 and %q", code, errOut, tc.want)
			}
		})
	}
}

// Credentials come from the DOCKER_CONFIG of the app's environment; a
// registry failure is exit 1 with a message that says what to do.
func TestImagetoolsAuth(t *testing.T) {
	host := testRegistry(t, "ci", "hunter2-secret")
	repo := host + "/private"
	conf := t.TempDir()
	auth := base64.StdEncoding.EncodeToString([]byte("ci:hunter2-secret"))
	if err := os.WriteFile(filepath.Join(conf, "config.json"), []byte(`{"auths":{"`+host+`":{"auth":"`+auth+`"}}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dg := write(t, repo+":amd64", platformImage(t, "linux", "amd64", ""), remote.WithAuth(&authn.Basic{Username: "ci", Password: "hunter2-secret"}))

	out, errOut, code := runImagetools(t, map[string]string{"DOCKER_CONFIG": conf}, "inspect", repo+":amd64")
	if code != exitOK || !strings.Contains(out, "Digest:    "+dg) || !strings.Contains(out, "Platform:  linux/amd64") {
		t.Fatalf("with credentials: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, errOut, code = runImagetools(t, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "inspect", repo+":amd64")
	if code != exitFailure || !strings.Contains(errOut, `run "docker login `+host+`"`) || strings.Contains(errOut, "hunter2") {
		t.Errorf("without credentials: exit %d, stderr %q; want exit 1 and a docker login hint", code, errOut)
	}
}

// The real registry of the local stack, when it runs: create then inspect.
func TestImagetoolsStack(t *testing.T) {
	host := executortest.Stack(t).Registry
	repo := fmt.Sprintf("%s/xbake-cli-test/imagetools-%08x", host, rand.Uint32())
	d := fixture(t, repo)
	env := map[string]string{"DOCKER_CONFIG": t.TempDir()}
	out, errOut, code := runImagetools(t, env, "create", "-t", repo+":v1", repo+":multi", repo+":amd64")
	if code != exitOK {
		t.Fatalf("create: exit %d: %s", code, errOut)
	}
	dg := strings.TrimSpace(out)
	out, errOut, code = runImagetools(t, env, "inspect", repo+":v1")
	if code != exitOK {
		t.Fatalf("inspect: exit %d: %s", code, errOut)
	}
	// repo:multi is the only index source but :amd64 is given too (and is
	// a duplicate): a new index with multi's three entries.
	for _, want := range []string{"Digest:    " + dg, repo + "@" + d["amd64"], "Platform:    linux/arm/v7", "Platform:    unknown/unknown"} {
		if !strings.Contains(out, want) {
			t.Errorf("inspect output lacks %q:\n%s", want, out)
		}
	}
}

func sha256Hex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}
