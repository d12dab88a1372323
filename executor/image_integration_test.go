package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// An arch probe: the image holds `uname -m` as run for its platform.
func archDockerfile(registry string) string {
	return fmt.Sprintf("FROM %s/xbake/busybox\nRUN uname -m > /arch && echo built\n", registry)
}

var threePlatforms = []string{"linux/amd64", "linux/arm64", "linux/arm/v7"}

func TestIntegrationPushIndex(t *testing.T) {
	r := newRun(t)
	repo := r.env.Repo(t)
	tgt := r.target("app", threePlatforms, archDockerfile(r.env.Registry),
		&bake.Export{Type: "image", Attrs: map[string]string{"push": "true"}},
		&bake.Export{Type: "local", Dest: "out"})
	tgt.Tags = []string{repo + ":v1", repo + ":latest"}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: threePlatforms, Merge: true, Target: tgt})
	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	mustStatus(t, rep, map[string]executor.Status{"app#index": executor.StatusDone})

	ins, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range ins.Manifests {
		if !m.Attestation {
			got = append(got, m.Platform.OS+"/"+m.Platform.Architecture+strings.TrimSuffix("/"+m.Platform.Variant, "/"))
		}
	}
	if strings.Join(got, ",") != strings.Join(threePlatforms, ",") {
		t.Errorf("index platforms = %v, want %v", got, threePlatforms)
	}
	// Per-platform configs carry their architecture and variant.
	for _, m := range ins.Manifests {
		one, err := oci.NewClient().Inspect(context.Background(), m.Name)
		if err != nil {
			t.Fatal(err)
		}
		if one.Platform == nil || one.Platform.Architecture != m.Platform.Architecture || one.Platform.Variant != m.Platform.Variant {
			t.Errorf("%s: config platform %+v, index says %+v", m.Name, one.Platform, m.Platform)
		}
	}
	latest, err := oci.NewClient().Inspect(context.Background(), repo+":latest")
	if err != nil || latest.Digest != ins.Digest {
		t.Errorf("latest = %v, %v; want the same index as v1 (%s)", latest, err, ins.Digest)
	}
	// The binaries really ran for their platform.
	for pl, want := range map[string]string{"linux_amd64": "x86_64", "linux_arm64": "aarch64", "linux_arm_v7": "armv7l"} {
		dt, err := os.ReadFile(filepath.Join(r.dir, "out", pl, "arch"))
		if err != nil || strings.TrimSpace(string(dt)) != want {
			t.Errorf("%s: uname -m = %q, %v; want %s", pl, dt, err, want)
		}
	}
}

// With provenance attestations each platform pushes an index; the merged
// index lists every image and attestation manifest flat.
func TestIntegrationPushIndexWithAttestations(t *testing.T) {
	r := newRun(t)
	repo := r.env.Repo(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry), &bake.Export{Type: "registry"})
	tgt.Tags = []string{repo + ":v1"}
	tgt.Attest = []*bake.Attest{{Type: "provenance", Attrs: map[string]string{"mode": "min"}}}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	ins, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	images, atts := 0, 0
	for _, m := range ins.Manifests {
		if m.Attestation {
			atts++
		} else if m.Platform != nil {
			images++
		}
	}
	if images != 2 || atts != 2 {
		t.Errorf("index has %d images and %d attestations, want 2 and 2: %+v", images, atts, ins.Manifests)
	}
}

// Without provenance in the target, pushed images get buildx's default
// min provenance: one attestation manifest per platform, which points at
// its image. Local outputs get none (inline-only), and
// BUILDX_NO_DEFAULT_ATTESTATIONS turns it off.
func TestIntegrationDefaultProvenance(t *testing.T) {
	for _, off := range []bool{false, true} {
		r := newRun(t)
		r.bkOpt.Getenv = func(k string) string {
			if off && k == "BUILDX_NO_DEFAULT_ATTESTATIONS" {
				return "1"
			}
			return ""
		}
		repo := r.env.Repo(t)
		plats := []string{"linux/amd64", "linux/arm64"}
		tgt := r.target("app", plats, archDockerfile(r.env.Registry), &bake.Export{Type: "registry"}, &bake.Export{Type: "local", Dest: "out"})
		tgt.Tags = []string{repo + ":v1"}
		p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
		if _, err := r.build(p); err != nil {
			t.Fatalf("%v\n%s", err, r.output())
		}
		ins, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
		if err != nil {
			t.Fatal(err)
		}
		images := map[string]string{} // digest -> platform
		var subjects []string
		for _, m := range ins.Manifests {
			switch {
			case m.Annotations["vnd.docker.reference.type"] == "attestation-manifest":
				subjects = append(subjects, images[m.Annotations["vnd.docker.reference.digest"]])
			case m.Platform != nil:
				images[m.Digest.String()] = m.Platform.OS + "/" + m.Platform.Architecture
			}
		}
		want := plats
		if off {
			want = nil
		}
		if strings.Join(subjects, ",") != strings.Join(want, ",") || len(images) != 2 {
			t.Errorf("BUILDX_NO_DEFAULT_ATTESTATIONS=%t: attestation manifests for %v, want %v; index: %+v", off, subjects, want, ins.Manifests)
		}
		for _, pl := range []string{"linux_amd64", "linux_arm64"} {
			if _, err := os.Stat(filepath.Join(r.dir, "out", pl, "provenance.json")); err == nil {
				t.Errorf("%s: the local output has a provenance file", pl)
			}
		}
	}
}

// A target that turns attestations off (`attest = ["type=provenance,
// disabled=true", "type=sbom,disabled=true"]`, what --provenance=false
// and --sbom=false write) gets none: buildx leaves them out of the
// request, as BuildKit knows no "disabled" and would attest with it
// (and run the SBOM scanner, which it pulls from Docker Hub).
func TestIntegrationDisabledAttestations(t *testing.T) {
	r := newRun(t)
	repo := r.env.Repo(t)
	plats := []string{"linux/amd64"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry), &bake.Export{Type: "registry"})
	tgt.Tags = []string{repo + ":v1"}
	tgt.Attest = []*bake.Attest{{Type: "provenance", Disabled: true}, {Type: "sbom", Disabled: true}}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	ins, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	if len(ins.Manifests) != 0 {
		t.Errorf("%s is an index of %+v, want the image manifest alone (no attestations)", repo+":v1", ins.Manifests)
	}
}

// A tag entry may hold several names separated by commas, as buildx
// passes tags to BuildKit (joined by commas, split by its exporter): the
// merged index gets every one of them, as a single-platform push does.
func TestIntegrationPushIndexCommaTags(t *testing.T) {
	r := newRun(t)
	repo := r.env.Repo(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry), &bake.Export{Type: "registry"})
	tgt.Tags = []string{repo + ":v1," + repo + ":v2"}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	v1, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	v2, err := oci.NewClient().Inspect(context.Background(), repo+":v2")
	if err != nil || v2.Digest != v1.Digest || len(v1.Manifests) == 0 {
		t.Errorf("v2 = %v, %v; want the index v1 is (%s)", v2, err, v1.Digest)
	}
}
