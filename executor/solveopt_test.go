package executor

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

func ptr[T any](v T) *T { return &v }

func TestFrontendAttrs(t *testing.T) {
	tgt := &bake.Target{
		Name: "app", Context: ptr("src"), Dockerfile: ptr("build/Dockerfile.app"), Target: ptr("final"),
		Args:          map[string]*string{"B": ptr("2"), "A": ptr("1"), "UNSET": nil},
		Labels:        map[string]*string{"org.x": ptr("y")},
		NoCacheFilter: []string{"deps", "build"},
		Pull:          ptr(true), Network: ptr("none"), ShmSize: ptr("128m"),
		Ulimits:    []string{"nofile=1024:2048"},
		ExtraHosts: map[string]*string{"db": ptr("10.0.0.2"), "api": ptr("10.0.0.3")},
		Attest:     []*bake.Attest{{Type: "sbom", Attrs: map[string]string{"generator": "x"}}, {Type: "provenance", Disabled: true}},
		Contexts: map[string]string{
			"base": "target:base", "img": "docker-image://alpine:3", "git": "https://github.com/x/y.git",
			"assets": "../assets", "layout": "oci-layout://./layout:v1",
		},
	}
	in, err := frontendAttrs(solveNode(tgt, "linux/arm64", plan.RoleExport, &bake.Target{Name: "base", Linked: true}), "/work")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"platform": "linux/arm64", "filename": "Dockerfile.app", "target": "final",
		"build-arg:A": "1", "build-arg:B": "2", "label:org.x": "y",
		"no-cache": "deps,build", "image-resolve-mode": "pull", "force-network-mode": "none",
		"shm-size": "134217728", "ulimit": "nofile=1024:2048", "add-hosts": "api=10.0.0.3,db=10.0.0.2",
		"attest:sbom": "generator=x", "attest:provenance": "disabled=true",
		"context:img": "docker-image://alpine:3", "context:git": "https://github.com/x/y.git",
		"context:assets": "local:ctx-assets", "context:layout": "oci-layout://xbake-layout:v1",
	}
	if d := cmp.Diff(want, in.attrs); d != "" {
		t.Errorf("attrs (-want +got):\n%s", d)
	}
	wantLocals := map[string]string{"context": "/work/src", "dockerfile": "/work/src/build", "ctx-assets": "/assets"}
	if d := cmp.Diff(wantLocals, in.locals); d != "" {
		t.Errorf("locals (-want +got):\n%s", d)
	}
	if in.ociLayouts["xbake-layout"] != "/work/layout" {
		t.Errorf("oci layouts = %v", in.ociLayouts)
	}

	inline := &bake.Target{Name: "i", DockerfileInline: ptr("FROM scratch\n"), NoCache: ptr(true)}
	in, err = frontendAttrs(solveNode(inline, "linux/amd64", plan.RoleExport), "/work")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := in.inputs["dockerfile"]; !ok || in.attrs["filename"] != "Dockerfile" || in.attrs["no-cache"] != "" {
		t.Errorf("inline Dockerfile: inputs %v attrs %v", in.inputs, in.attrs)
	}
	if _, ok := in.locals["dockerfile"]; ok {
		t.Error("an inline Dockerfile must not mount a local dockerfile dir")
	}
}

func TestCheckEntitlements(t *testing.T) {
	wd := t.TempDir()
	outside := t.TempDir()
	tgt := &bake.Target{Name: "app", Network: ptr("host"), Entitlements: []string{"security.insecure"},
		Outputs: []*bake.Export{{Type: "local", Dest: filepath.Join(outside, "out")}, {Type: "local", Dest: "inside"}},
		Secrets: []*bake.Secret{{ID: "k", FilePath: filepath.Join(outside, "key")}}}
	p := &plan.Plan{Nodes: []*plan.Node{solveNode(tgt, "linux/amd64", plan.RoleExport)}}
	err := CheckEntitlements(p, nil, wd)
	var ee *EntitlementsError
	if !errors.As(err, &ee) {
		t.Fatalf("err = %v", err)
	}
	want := []string{"fs.read=" + filepath.Join(outside, "key"), "fs.write=" + filepath.Join(outside, "out"), "network.host", "security.insecure"}
	if d := cmp.Diff(want, ee.Missing); d != "" {
		t.Errorf("missing (-want +got):\n%s", d)
	}
	if !strings.Contains(err.Error(), "--allow network.host --allow security.insecure") && !strings.Contains(err.Error(), "--allow network.host") {
		t.Errorf("message: %s", err)
	}
	if err := CheckEntitlements(p, []string{"network.host", "security.insecure", "fs=" + outside}, wd); err != nil {
		t.Errorf("granted: %v", err)
	}
	if err := CheckEntitlements(p, []string{"network.host,security.insecure", "fs=*"}, wd); err != nil {
		t.Errorf("granted with *: %v", err)
	}
	// A symlink inside the working directory does not smuggle a write out.
	if err := os.Symlink(outside, filepath.Join(wd, "link")); err != nil {
		t.Fatal(err)
	}
	tgt2 := &bake.Target{Name: "l", Outputs: []*bake.Export{{Type: "local", Dest: "link/out"}}}
	if err := CheckEntitlements(&plan.Plan{Nodes: []*plan.Node{solveNode(tgt2, "linux/amd64", plan.RoleExport)}}, nil, wd); err == nil {
		t.Error("a write through a symlink out of the working directory was allowed")
	}
}

// TestCheckEntitlementsDockerfile: a Dockerfile outside the working
// directory needs fs.read whether it is written absolute or relative to
// the context ("../outside/Dockerfile.x" used to build without --allow,
// and --set app.dockerfile=../../../etc/hostname showed the file in the
// parse error).
func TestCheckEntitlementsDockerfile(t *testing.T) {
	root := t.TempDir()
	wd := filepath.Join(root, "work")
	outside := filepath.Join(root, "outside")
	for _, d := range []string{filepath.Join(wd, "app"), outside} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		context, dockerfile string
		need                string // "" when nothing is missing
	}{
		{".", "../outside/Dockerfile.x", filepath.Join(outside, "Dockerfile.x")},
		{"app", "../../outside/Dockerfile.x", filepath.Join(outside, "Dockerfile.x")},
		{"app", "../../../../../../../etc/hostname", "/etc/hostname"},
		{".", filepath.Join(outside, "Dockerfile"), filepath.Join(outside, "Dockerfile")},
		{".", "cwd://../outside/Dockerfile", filepath.Join(outside, "Dockerfile")},
		{"https://example.test/repo.git", filepath.Join(outside, "Dockerfile"), filepath.Join(outside, "Dockerfile")},
		{"app", "../Dockerfile", ""},
		{"app", "Dockerfile", ""},
		{"https://example.test/repo.git", "../../Dockerfile", ""},
	} {
		tgt := &bake.Target{Name: "app", Context: ptr(tc.context), Dockerfile: ptr(tc.dockerfile)}
		p := &plan.Plan{Nodes: []*plan.Node{solveNode(tgt, "linux/amd64", plan.RoleExport)}}
		err := CheckEntitlements(p, nil, wd)
		var ee *EntitlementsError
		switch {
		case tc.need == "" && err != nil:
			t.Errorf("%s in %s: %v", tc.dockerfile, tc.context, err)
		case tc.need != "" && (!errors.As(err, &ee) || !slices.Contains(ee.Missing, "fs.read="+tc.need)):
			t.Errorf("%s in %s: err = %v, want fs.read=%s", tc.dockerfile, tc.context, err, tc.need)
		}
		if tc.need != "" && CheckEntitlements(p, []string{"fs.read=" + filepath.Dir(tc.need)}, wd) != nil {
			t.Errorf("%s in %s: still refused with fs.read=%s", tc.dockerfile, tc.context, filepath.Dir(tc.need))
		}
	}
}

func TestDecodeResponse(t *testing.T) {
	desc := base64.StdEncoding.EncodeToString([]byte(`{"digest":"sha256:ab","size":3}`))
	got := decodeResponse(map[string]string{"containerimage.descriptor": desc, "containerimage.digest": "sha256:ab", "image.name": "x"})
	if m, ok := got["containerimage.descriptor"].(map[string]any); !ok || m["digest"] != "sha256:ab" {
		t.Errorf("descriptor not decoded: %v", got)
	}
	if got["containerimage.digest"] != "sha256:ab" || got["image.name"] != "x" {
		t.Errorf("plain values changed: %v", got)
	}
}

// PlanNodes says what each node runs natively and emulated; CheckDown
// lets a run go on without a node that does not answer unless one of its
// solves has no other node that can run it, as the plan says.
func TestPlanNodesCheckDown(t *testing.T) {
	ps := func(ss ...string) []ocispec.Platform {
		var out []ocispec.Platform
		for _, s := range ss {
			out = append(out, platforms.MustParse(s))
		}
		return out
	}
	amd := &Builder{Name: "amd", Native: ps("linux/amd64"), Reported: ps("linux/amd64", "linux/arm64", "linux/riscv64"), Capacity: 3}
	arm := &Builder{Name: "arm", Native: ps("linux/arm64"), Reported: ps("linux/arm64"), Capacity: 2}
	bs := &Builders{Nodes: []*Builder{amd, arm}}
	got := bs.PlanNodes()
	if fmt.Sprint(got) != "[{amd [linux/amd64] [linux/arm64 linux/riscv64] 3} {arm [linux/arm64] [] 2}]" {
		t.Errorf("PlanNodes = %v", got)
	}
	down := errors.New("arm2 does not answer\nStart it.")
	bs.Down = []*DownNode{{Config: &BuilderConfig{Name: "arm2", Platforms: []string{"linux/arm64"}}, Err: down}}
	// Placed on the connected nodes, as farmPlan plans: the plan says
	// which solves they can run.
	mk := func(pl string) *plan.Plan {
		p := &plan.Plan{Nodes: []*plan.Node{solveNode(&bake.Target{Name: "a"}, pl, plan.RoleExport)}}
		p.Place(got)
		return p
	}
	warns, err := bs.CheckDown(mk("linux/arm64"))
	if err != nil || len(warns) != 1 || warns[0] != "builder node arm2 does not answer; the run goes on without it (no platform of the run needs it): arm2 does not answer" {
		t.Errorf("CheckDown = %q, %v", warns, err)
	}
	bs.Down[0].Config.Platforms = nil // it might run anything
	if _, err := bs.CheckDown(mk("linux/s390x")); err == nil || !errors.Is(err, down) || !strings.Contains(err.Error(), "the run needs builder node arm2, for no other node can run linux/s390x: arm2 does not answer") {
		t.Errorf("CheckDown with an unlisted platform: %v", err)
	}
	// The platforms declared for the down node are read as the plan reads
	// platforms: "linux/s390x " and "linux/arm/v7" as written, "linux/arm"
	// canonical.
	bs.Down[0].Config.Platforms = []string{"linux/arm", "linux/s390x "}
	if _, err := bs.CheckDown(mk("linux/arm/v7")); err == nil || !errors.Is(err, down) || !strings.Contains(err.Error(), "no other node can run linux/arm/v7") {
		t.Errorf("CheckDown with a platform declared in another spelling: %v", err)
	}
	if _, err := bs.CheckDown(mk("linux/s390x")); err == nil || !errors.Is(err, down) {
		t.Errorf("CheckDown with a declared platform in spaces: %v", err)
	}
	// A solve skipped as unchanged (--skip-unchanged) runs nowhere.
	skipped := &plan.Plan{Nodes: []*plan.Node{solveNode(&bake.Target{Name: "a"}, "linux/s390x", plan.RoleExport)}}
	skipped.Nodes[0].Solve.Unchanged = true
	skipped.Place(got)
	if _, err := bs.CheckDown(skipped); err != nil {
		t.Errorf("CheckDown with an unchanged solve: %v", err)
	}
	// A solve that cross-compiles (no RUN step on its platform) runs on a
	// node whose workers do not list the platform: the plan's rule.
	bs.Nodes = []*Builder{{Name: "amd", Native: ps("linux/amd64"), Reported: ps("linux/amd64"), Capacity: 1}}
	bs.Down[0].Config.Platforms = []string{"linux/arm64"}
	cross, diags := plan.New(&bake.Definition{Targets: []*bake.Target{{Name: "go", Platforms: []string{"linux/arm64"}}}},
		plan.Request{DefaultPlatform: "linux/amd64", Nodes: bs.PlanNodes(), Dockerfiles: noRuns{}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	if n := cross.Nodes[0]; n.Builder != "amd" || n.Exec != plan.ExecCross {
		t.Fatalf("%s on %s %s, want amd cross", n.ID, n.Builder, n.Exec)
	}
	if warns, err := bs.CheckDown(cross); err != nil || len(warns) != 1 {
		t.Errorf("CheckDown with a cross-compiled solve = %q, %v; want one warning", warns, err)
	}
}

// A node down at the start whose platform the other nodes only emulate
// is not needed, but its platform is: the warning says that it now runs
// under QEMU, rather than that the run does not need it.
func TestCheckDownSaysWhatIsEmulated(t *testing.T) {
	amd := &Builder{Name: "amd", Native: []ocispec.Platform{platforms.MustParse("linux/amd64")},
		Reported: []ocispec.Platform{platforms.MustParse("linux/amd64"), platforms.MustParse("linux/arm64")}, Capacity: 2}
	bs := &Builders{Nodes: []*Builder{amd}, Down: []*DownNode{{
		Config: &BuilderConfig{Name: "arm", Platforms: []string{"linux/arm64"}}, Err: errors.New("arm does not answer")}}}
	p := &plan.Plan{Nodes: []*plan.Node{
		solveNode(&bake.Target{Name: "a"}, "linux/arm64", plan.RoleExport),
		solveNode(&bake.Target{Name: "a"}, "linux/amd64", plan.RoleExport),
	}}
	p.Place(bs.PlanNodes())
	warns, err := bs.CheckDown(p)
	want := "builder node arm does not answer; the run goes on without it, emulating linux/arm64 on the other nodes: arm does not answer"
	if err != nil || len(warns) != 1 || warns[0] != want {
		t.Errorf("CheckDown = %q, %v; want %q", warns, err, want)
	}
}

// noRuns reads every Dockerfile as one without RUN steps.
type noRuns struct{}

func (noRuns) Build(*bake.Target, ocispec.Platform, ocispec.Platform) (*plan.DockerfileBuild, bool) {
	return &plan.DockerfileBuild{}, true
}
