package executor

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/frontend/dockerfile/dfgitutil"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// solveNode plans t with plan.New (as a linked target for
// RoleDependency, on platform pl when it declares none) and returns its
// solve node for pl; extra are the targets its `target:` contexts name.
func solveNode(t *bake.Target, pl string, role plan.Role, extra ...*bake.Target) *plan.Node {
	return solveNodeFor(plan.Request{}, t, pl, role, extra...)
}

// solveNodeFor is solveNode planned with req (its default platform is
// linux/amd64).
func solveNodeFor(req plan.Request, t *bake.Target, pl string, role plan.Role, extra ...*bake.Target) *plan.Node {
	if len(t.Platforms) == 0 {
		t.Platforms = []string{pl}
	}
	t.Linked = role == plan.RoleDependency
	req.DefaultPlatform = "linux/amd64"
	p, diags := plan.New(&bake.Definition{Targets: append([]*bake.Target{t}, extra...)}, req)
	if diags.HasErrors() {
		panic(diags.Error())
	}
	for _, n := range p.Nodes {
		if n.ID == t.Name+"@"+pl {
			if n.Solve.Role != role {
				panic(fmt.Sprintf("%s: the plan gives role %s, the test wants %s", n.ID, n.Solve.Role, role))
			}
			return n
		}
	}
	panic("no solve node " + t.Name + "@" + pl)
}

// shm-size is read as docker reads it (go-units), the rule bake checks
// with at --print: binary units, an optional "i" and "b".
func TestFrontendAttrsShmSize(t *testing.T) {
	for in, want := range map[string]string{"1gib": "1073741824", "128m": "134217728", "1.5k": "1536", "64": "64"} {
		n := solveNode(&bake.Target{Name: "app", ShmSize: ptr(in)}, "linux/amd64", plan.RoleExport)
		got, err := frontendAttrs(n, "/work")
		if err != nil || got.attrs["shm-size"] != want {
			t.Errorf("shm-size %q: %q, %v; want %s", in, got.attrs["shm-size"], err, want)
		}
	}
	n := solveNode(&bake.Target{Name: "app", ShmSize: ptr("lots")}, "linux/amd64", plan.RoleExport)
	if _, err := frontendAttrs(n, "/work"); err == nil || err.Error() != `shm-size: invalid size: 'lots'` {
		t.Errorf("shm-size lots: %v", err)
	}
}

// resources reach the Dockerfile frontend under its keys (dockerui's
// memory, memswap, cpushares, cpuperiod, cpuquota, cpusetcpus,
// cpusetmems), sizes in bytes.
func TestFrontendAttrsResources(t *testing.T) {
	i := func(n int64) *int64 { return &n }
	n := solveNode(&bake.Target{Name: "app", Resources: &bake.Resources{
		Memory: ptr("512m"), MemorySwap: ptr("-1"), CPUShares: i(512), CPUPeriod: i(100000),
		CPUQuota: i(50000), CPUSetCPUs: ptr("0-1"), CPUSetMems: ptr("0"),
	}}, "linux/amd64", plan.RoleExport)
	got, err := frontendAttrs(n, "/work")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"memory": "536870912", "memswap": "-1", "cpushares": "512", "cpuperiod": "100000",
		"cpuquota": "50000", "cpusetcpus": "0-1", "cpusetmems": "0"}
	for k, v := range want {
		if got.attrs[k] != v {
			t.Errorf("%s = %q, want %q", k, got.attrs[k], v)
		}
	}
	n = solveNode(&bake.Target{Name: "app", Resources: &bake.Resources{MemorySwap: ptr("1g")}}, "linux/amd64", plan.RoleExport)
	if got, err := frontendAttrs(n, "/work"); err != nil || got.attrs["memswap"] != "1073741824" || got.attrs["memory"] != "" {
		t.Errorf("memory-swap 1g: %v, %v", got.attrs, err)
	}
}

// bake.IsRemoteURL is the one test of "fetched by BuildKit, not sent from
// here": it agrees with BuildKit's own (http(s), or a git reference for
// dfgitutil.ParseGitRef), which is what buildx's urlutil.IsRemoteURL asks.
func TestIsRemoteURLAgreesWithBuildKit(t *testing.T) {
	for _, s := range []string{
		"https://example.test/ctx.tar.gz", "http://example.test/x", "HTTPS://example.test/x",
		"https://github.com/x/y.git", "https://github.com/x/y.git#main:sub",
		"git://example.test/y.git", "ssh://git@example.test/y", "ssh://example.test/y.git#v1",
		"git@github.com:x/y.git", "deploy@git.example.test:x/y", "github.com/x/y",
		".", "src", "./src", "../up", "/abs/dir", "cwd://src", "docker-image://alpine:3",
		"oci-layout://./layout", "target:base", "user@host", "C:/windows/path", "git@nohost",
	} {
		_, isGit, _ := dfgitutil.ParseGitRef(s)
		want := strings.HasPrefix(strings.ToLower(s), "http://") || strings.HasPrefix(strings.ToLower(s), "https://") || isGit
		if got := bake.IsRemoteURL(s); got != want {
			t.Errorf("IsRemoteURL(%q) = %v, BuildKit says %v", s, got, want)
		}
	}
}

// The build mounts the folder of the Dockerfile that bake.DockerfilePath
// names, and sends a remote context's own path to the frontend.
func TestFrontendAttrsDockerfile(t *testing.T) {
	for _, tc := range []struct {
		context, dockerfile string
		wantLocals          map[string]string
		wantAttrs           map[string]string
	}{
		{"src", "cwd://docker/app.Dockerfile",
			map[string]string{"context": "/work/src", "dockerfile": "/work/docker"},
			map[string]string{"filename": "app.Dockerfile"}},
		{"https://github.com/x/y.git#main", "build/Dockerfile",
			map[string]string{},
			map[string]string{"context": "https://github.com/x/y.git#main", "filename": "build/Dockerfile"}},
		{"git@github.com:x/y.git", "/abs/Dockerfile",
			map[string]string{"dockerfile": "/abs"},
			map[string]string{"context": "git@github.com:x/y.git", "filename": "Dockerfile"}},
	} {
		tgt := &bake.Target{Name: "app", Context: ptr(tc.context), Dockerfile: ptr(tc.dockerfile)}
		in, err := frontendAttrs(solveNode(tgt, "linux/amd64", plan.RoleExport), "/work")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tc.wantLocals, in.locals); d != "" {
			t.Errorf("%s %s: locals (-want +got):\n%s", tc.context, tc.dockerfile, d)
		}
		for k, v := range tc.wantAttrs {
			if in.attrs[k] != v {
				t.Errorf("%s %s: %s = %q, want %q", tc.context, tc.dockerfile, k, in.attrs[k], v)
			}
		}
	}
}
