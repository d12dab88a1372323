package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/executor/executortest"
)

// rawManifest fetches ref directly from the registry.
func rawManifest(t *testing.T, ref string) []byte {
	t.Helper()
	r, err := name.ParseReference(ref, name.Insecure)
	if err != nil {
		t.Fatal(err)
	}
	d, err := remote.Get(r)
	if err != nil {
		t.Fatal(err)
	}
	return d.Manifest
}

// The registries of these tests: ggcr's in memory, and the stack's real
// one when it runs (skipped without it, failed in CI).
func forEachTestRegistry(t *testing.T, fn func(t *testing.T, repo string)) {
	t.Run("mem", func(t *testing.T) { fn(t, testRegistry(t, "", "")+"/app") })
	t.Run("stack", func(t *testing.T) {
		host := executortest.Stack(t).Registry
		fn(t, fmt.Sprintf("%s/xbake-cli-test/%s-%08x", host, strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), rand.Uint32()))
	})
}

func TestImagetoolsInspectRawAndTemplates(t *testing.T) {
	forEachTestRegistry(t, func(t *testing.T, repo string) {
		d := fixture(t, repo)
		env := map[string]string{"DOCKER_CONFIG": t.TempDir()}
		inspect := func(args ...string) string {
			t.Helper()
			out, errOut, code := runImagetools(t, env, append([]string{"inspect"}, args...)...)
			if code != exitOK {
				t.Fatalf("inspect %v: exit %d: %s", args, code, errOut)
			}
			return out
		}

		raw := rawManifest(t, repo+":multi")
		if got := inspect("--raw", repo+":multi"); got != string(raw) {
			t.Errorf("--raw = %q, want the registry's bytes %q", got, raw)
		}
		if got := inspect("--format", "{{.Name}}", repo+":multi"); got != repo+":multi" {
			t.Errorf("{{.Name}} = %q", got)
		}

		var idx ocispec.Index
		if err := json.Unmarshal(raw, &idx); err != nil {
			t.Fatal(err)
		}
		ms, _ := json.MarshalIndent(idx.Manifests, "  ", "  ")
		want := fmt.Sprintf("{\n  \"schemaVersion\": 2,\n  \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n  \"digest\": %q,\n  \"size\": %d,\n  \"manifests\": %s\n}", d["multi"], len(raw), ms)
		if diff := cmp.Diff(want, inspect("--format", "{{json .Manifest}}", repo+":multi")); diff != "" {
			t.Errorf("{{json .Manifest}} of an index (-want +got):\n%s", diff)
		}
		amdRaw := rawManifest(t, repo+":amd64")
		want = fmt.Sprintf("{\n  \"mediaType\": \"application/vnd.oci.image.manifest.v1+json\",\n  \"digest\": %q,\n  \"size\": %d\n}", d["amd64"], len(amdRaw))
		if diff := cmp.Diff(want, inspect("--format", "{{json .Manifest}}", repo+":amd64")); diff != "" {
			t.Errorf("{{json .Manifest}} of an image (-want +got):\n%s", diff)
		}

		// .Image: one config, or configs by platform (the attestation is
		// not an image).
		var one ocispec.Image
		if err := json.Unmarshal([]byte(inspect("--format", "{{json .Image}}", repo+":amd64")), &one); err != nil || one.Architecture != "amd64" || one.OS != "linux" {
			t.Errorf("{{json .Image}} of an image: %+v, %v", one, err)
		}
		var byPlatform map[string]ocispec.Image
		if err := json.Unmarshal([]byte(inspect("--format", "{{json .Image}}", repo+":multi")), &byPlatform); err != nil {
			t.Fatal(err)
		}
		if len(byPlatform) != 2 || byPlatform["linux/amd64"].Architecture != "amd64" || byPlatform["linux/arm/v7"].Variant != "v7" {
			t.Errorf("{{json .Image}} of an index: %+v", byPlatform)
		}
		if got := inspect("--format", `{{range $p, $i := .Image}}{{$p}}={{$i.Architecture}} {{end}}`, repo+":multi"); got != "linux/amd64=amd64 linux/arm/v7=arm " {
			t.Errorf("range over .Image = %q", got)
		}
		// buildx's "{{.Manifest}}" is the text form.
		if got, text := inspect("--format", "{{ .Manifest }}", repo+":multi"), inspect(repo+":multi"); got != text {
			t.Errorf("{{.Manifest}} =\n%s\nwant the text form\n%s", got, text)
		}
	})
}

// inTotoAttestation is an attestation manifest with one in-toto layer per
// predicate type, as BuildKit pushes provenance and SBOMs.
func inTotoAttestation(t *testing.T, predicates map[string]string) v1.Image {
	t.Helper()
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	for _, typ := range []string{"https://slsa.dev/provenance/v0.2", "https://spdx.dev/Document"} {
		pred, ok := predicates[typ]
		if !ok {
			continue
		}
		st := `{"_type":"https://in-toto.io/Statement/v0.1","predicateType":"` + typ + `","subject":[],"predicate":` + pred + `}`
		env := `{"payloadType":"application/vnd.in-toto+json","payload":"` + base64.StdEncoding.EncodeToString([]byte(st)) + `","signatures":[]}`
		var err error
		img, err = mutate.Append(img, mutate.Addendum{
			Layer:       static.NewLayer([]byte(env), "application/vnd.in-toto.provenance+dsse"),
			MediaType:   "application/vnd.in-toto.provenance+dsse",
			Annotations: map[string]string{"in-toto.io/predicate-type": typ},
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return img
}

func TestImagetoolsInspectAttestations(t *testing.T) {
	repo := testRegistry(t, "", "") + "/app"
	amd, arm := platformImage(t, "linux", "amd64", ""), platformImage(t, "linux", "arm64", "")
	att := func(img v1.Image, preds map[string]string) mutate.IndexAddendum {
		dg, _ := img.Digest()
		return mutate.IndexAddendum{Add: inTotoAttestation(t, preds), Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": dg.String()},
		}}
	}
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex),
		mutate.IndexAddendum{Add: amd, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "amd64"}}},
		mutate.IndexAddendum{Add: arm, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: "arm64"}}},
		att(amd, map[string]string{"https://slsa.dev/provenance/v0.2": `{"buildType":"amd"}`, "https://spdx.dev/Document": `{"name":"amd-sbom"}`}),
		att(arm, map[string]string{"https://slsa.dev/provenance/v0.2": `{"buildType":"arm"}`}),
	)
	r, _ := name.ParseReference(repo+":v1", name.Insecure)
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DOCKER_CONFIG": t.TempDir()}
	for _, tc := range []struct{ format, want string }{
		{"{{json .Provenance}}", "{\n  \"linux/amd64\": {\n    \"SLSA\": {\n      \"buildType\": \"amd\"\n    }\n  },\n  \"linux/arm64\": {\n    \"SLSA\": {\n      \"buildType\": \"arm\"\n    }\n  }\n}"},
		{"{{json .SBOM}}", "{\n  \"linux/amd64\": {\n    \"SPDX\": {\n      \"name\": \"amd-sbom\"\n    }\n  }\n}"},
		{`{{(index .Provenance "linux/arm64").SLSA.buildType}}`, "arm"},
	} {
		out, errOut, code := runImagetools(t, env, "inspect", "--format", tc.format, repo+":v1")
		if code != exitOK || out != tc.want {
			t.Errorf("%s: exit %d, stderr %q\n%s\nwant\n%s", tc.format, code, errOut, out, tc.want)
		}
	}
}

func TestImagetoolsCreateOptions(t *testing.T) {
	forEachTestRegistry(t, func(t *testing.T, repo string) {
		d := fixture(t, repo)
		dir := t.TempDir()
		env := map[string]string{"DOCKER_CONFIG": t.TempDir()}
		create := func(args ...string) string {
			t.Helper()
			out, errOut, code := runImagetoolsIn(t, dir, env, append([]string{"create"}, args...)...)
			if code != exitOK {
				t.Fatalf("create %v: exit %d: %s", args, code, errOut)
			}
			return strings.TrimSpace(out)
		}
		index := func(ref string) ocispec.Index {
			t.Helper()
			var idx ocispec.Index
			if err := json.Unmarshal(rawManifest(t, ref), &idx); err != nil {
				t.Fatal(err)
			}
			return idx
		}
		digests := func(idx ocispec.Index) []string {
			var out []string
			for _, m := range idx.Manifests {
				out = append(out, m.Digest.String())
			}
			return out
		}

		// --append adds to what the tag holds.
		create("-t", repo+":app", repo+":amd64")
		create("--append", "-t", repo+":app", repo+":arm")
		if diff := cmp.Diff([]string{d["amd64"], d["arm"]}, digests(index(repo+":app"))); diff != "" {
			t.Errorf("--append (-want +got):\n%s", diff)
		}

		// -f reads a descriptor; a bare digest is in the tags' repository.
		desc := filepath.Join(dir, "arm.json")
		writeFile(t, desc, `{"digest": "`+d["arm"]+`", "platform": {"os": "linux", "architecture": "arm", "variant": "v6"}}`+"\n")
		create("-t", repo+":files", "-f", "arm.json", d["amd64"])
		files := index(repo + ":files")
		if diff := cmp.Diff([]string{d["arm"], d["amd64"]}, digests(files)); diff != "" || files.Manifests[0].Platform.Variant != "v6" || files.Manifests[1].Platform.Architecture != "amd64" {
			t.Errorf("-f and a digest: %+v", files.Manifests)
		}

		// --prefer-index=false pushes a single image as it is.
		if got := create("--prefer-index=false", "-t", repo+":carbon", repo+":amd64"); got != d["amd64"] {
			t.Errorf("--prefer-index=false printed %s, want the image's digest %s", got, d["amd64"])
		}
		if got := string(rawManifest(t, repo+":carbon")); got != string(rawManifest(t, repo+":amd64")) {
			t.Errorf(":carbon is not the image manifest")
		}

		// --platform keeps one platform of an index.
		create("-t", repo+":armonly", "--platform", "linux/arm/v7", repo+":multi")
		if diff := cmp.Diff([]string{d["arm"]}, digests(index(repo+":armonly"))); diff != "" {
			t.Errorf("--platform (-want +got):\n%s", diff)
		}

		// --metadata-file says what was pushed, as buildx writes it.
		got := create("-t", repo+":meta", "-t", repo+":meta2", "--metadata-file", "meta.json", "--annotation", "manifest-descriptor[linux/amd64]:org.example.arch=amd64", repo+":amd64", repo+":arm")
		raw := rawManifest(t, repo+":meta")
		want := fmt.Sprintf("{\n  \"containerimage.descriptor\": {\n    \"mediaType\": \"application/vnd.oci.image.index.v1+json\",\n    \"digest\": %q,\n    \"size\": %d\n  },\n  \"image.name\": %q\n}", got, len(raw), repo)
		meta, err := os.ReadFile(filepath.Join(dir, "meta.json"))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, string(meta)); diff != "" {
			t.Errorf("metadata (-want +got):\n%s", diff)
		}
		ann := index(repo + ":meta").Manifests
		if ann[0].Annotations["org.example.arch"] != "amd64" || ann[1].Annotations != nil {
			t.Errorf("manifest-descriptor annotation: %+v", ann)
		}
	})
}

// -f reads one small regular file: a device, a FIFO or a large file is
// refused at once, by name (exit 2), before any registry is asked.
func TestImagetoolsCreateFileRefused(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "big.json"), strings.Repeat(" ", maxSourceFile+1))
	for _, tc := range []struct{ file, want string }{
		{"/dev/zero", "xbake: -f /dev/zero: it is not a regular file\n"},
		{"fifo", "xbake: -f fifo: it is not a regular file\n"},
		{"big.json", "xbake: -f big.json: it is larger than 1 MiB\n"},
		{"missing.json", "xbake: -f missing.json: no such file or directory\n"},
	} {
		code, out, errOut := runCLI(t, dir, nil, "imagetools", "create", "--dry-run", "-f", tc.file)
		if code != exitUsage || out != "" || errOut != tc.want {
			t.Errorf("-f %s: exit %d, stdout %q, stderr %q; want exit 2, stderr %q", tc.file, code, out, errOut, tc.want)
		}
	}
}

// Provenance that BuildKit attached to a pushed build, read back through
// buildx's template fields.
func TestImagetoolsInspectBuildKitProvenance(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	repo := fmt.Sprintf("%s/xbake-cli-test/provenance-%08x", env.Registry, rand.Uint32())
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "default" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nLABEL test=provenance\n"
  platforms         = ["linux/amd64", "linux/arm64"]
  tags              = ["`+repo+`:v1"]
  attest            = ["type=provenance,mode=min"]
}
`)
	if code, out := cliRun(t, dir, nil, "--push", "--progress=quiet"); code != exitOK {
		t.Fatalf("build: exit %d\n%s", code, out)
	}
	out, errOut, code := runImagetools(t, map[string]string{"DOCKER_CONFIG": t.TempDir()}, "inspect", "--format",
		`{{range $p, $v := .Provenance}}{{$p}} {{$v.SLSA.buildDefinition.externalParameters.request.frontend}}{{"\n"}}{{end}}`, repo+":v1")
	if want := "linux/amd64 dockerfile.v0\nlinux/arm64 dockerfile.v0\n"; code != exitOK || out != want {
		t.Errorf("exit %d, stderr %q\n%s\nwant\n%s", code, errOut, out, want)
	}
}
