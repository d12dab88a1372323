package plan_test

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// summary renders a plan one node a line, for table tests:
// "ID L<level> [flags] <- deps".
func summary(p *plan.Plan) []string {
	var out []string
	for _, n := range p.Nodes {
		s := fmt.Sprintf("%s L%d", n.ID, n.Level)
		if n.DefaultPlatform {
			s += " default"
		}
		if n.Exec != "" {
			s += " " + string(n.Exec)
		}
		if n.Solve != nil {
			s += " " + string(n.Solve.Role)
			if len(n.Solve.Targets) > 1 {
				var names []string
				for i, t := range n.Solve.Targets {
					names = append(names, t.Name+":"+string(n.Solve.Roles[i]))
				}
				s += " [" + strings.Join(names, " ") + "]"
			}
		}
		if n.Merge != nil {
			s += " " + strings.Join(n.Merge.Solves, ",")
		}
		if len(n.Deps) > 0 {
			s += " <- " + strings.Join(n.Deps, " ")
		}
		out = append(out, s)
	}
	return out
}

func mustPlan(t *testing.T, req plan.Request, targets ...fx) *plan.Plan {
	t.Helper()
	def, src := define(targets...)
	p, diags := plan.New(def, req)
	if diags.HasErrors() || p == nil {
		t.Fatalf("New: %v\nfor:\n%s", diags, src)
	}
	return p
}

var (
	amdArm   = []string{"linux/amd64", "linux/arm64"}
	registry = []string{"type=registry"}
)

func TestNew(t *testing.T) {
	tests := []struct {
		name    string
		targets []fx
		req     *plan.Request
		want    []string
	}{{
		name:    "no platforms means the default platform",
		targets: []fx{{name: "app", outputs: []string{"type=docker"}}},
		want:    []string{"app@linux/amd64 L0 default export"},
	}, {
		name: "aliases and local collapse to canonical platforms, first position kept",
		targets: []fx{{name: "app", outputs: registry,
			platforms: []string{"local", "linux/arm64/v8,linux/amd64", "linux/aarch64", "linux/arm", "linux/arm/v7"}}},
		want: []string{
			"app@linux/amd64 L0 default merge",
			"app@linux/arm/v7 L0 merge",
			"app@linux/arm64 L0 merge",
			"app#index L1 app@linux/amd64,app@linux/arm64,app@linux/arm/v7 <- app@linux/amd64 app@linux/arm/v7 app@linux/arm64",
		},
	}, {
		name: "which outputs need a merge node",
		targets: []fx{
			{name: "docker", dockerfile: "docker.Dockerfile", platforms: amdArm, outputs: []string{"type=docker"}},
			{name: "image", dockerfile: "image.Dockerfile", platforms: amdArm, outputs: []string{"type=image,name=x"}},
			{name: "local", dockerfile: "local.Dockerfile", platforms: amdArm, outputs: []string{"type=local,dest=out"}},
			{name: "oci", dockerfile: "oci.Dockerfile", platforms: amdArm, outputs: []string{"type=oci,dest=x.tar"}},
			{name: "push", dockerfile: "push.Dockerfile", platforms: amdArm, outputs: []string{"type=image,name=x,push=true"}},
			{name: "single", dockerfile: "single.Dockerfile", platforms: []string{"linux/arm64"}, outputs: registry},
			{name: "tar", dockerfile: "tar.Dockerfile", platforms: amdArm, outputs: []string{"type=local,dest=out", "type=tar,dest=x.tar"}},
			{name: "unused", dockerfile: "unused.Dockerfile", platforms: amdArm, outputs: registry, linked: true},
		},
		want: []string{
			"docker@linux/amd64 L0 export", "docker@linux/arm64 L0 export",
			"image@linux/amd64 L0 export", "image@linux/arm64 L0 export",
			"local@linux/amd64 L0 export", "local@linux/arm64 L0 export",
			"oci@linux/amd64 L0 merge", "oci@linux/arm64 L0 merge",
			"push@linux/amd64 L0 merge", "push@linux/arm64 L0 merge",
			"single@linux/arm64 L0 export",
			"tar@linux/amd64 L0 merge", "tar@linux/arm64 L0 merge",
			"unused@linux/amd64 L0 dependency", "unused@linux/arm64 L0 dependency",
			"oci#index L1 oci@linux/amd64,oci@linux/arm64 <- oci@linux/amd64 oci@linux/arm64",
			"push#index L1 push@linux/amd64,push@linux/arm64 <- push@linux/amd64 push@linux/arm64",
			"tar#index L1 tar@linux/amd64,tar@linux/arm64 <- tar@linux/amd64 tar@linux/arm64",
		},
	}, {
		name: "a registry cache-to of several platforms is joined by a merge node, whatever the outputs",
		targets: []fx{
			{name: "cached", dockerfile: "cached.Dockerfile", platforms: amdArm, outputs: []string{"type=cacheonly"}, mod: func(t *bake.Target) {
				t.CacheTo = []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": "r.test/app:cache"}}}
			}},
			{name: "local", dockerfile: "local.Dockerfile", platforms: amdArm, outputs: []string{"type=cacheonly"}, mod: func(t *bake.Target) {
				t.CacheTo = []*bake.CacheEntry{{Type: "local", Attrs: map[string]string{"dest": "c"}}, {Type: "registry", Attrs: map[string]string{"ref": "r.test/x", "disabled": "true"}}}
			}},
		},
		want: []string{
			"cached@linux/amd64 L0 merge", "cached@linux/arm64 L0 merge",
			"local@linux/amd64 L0 export", "local@linux/arm64 L0 export",
			"cached#index L1 cached@linux/amd64,cached@linux/arm64 <- cached@linux/amd64 cached@linux/arm64",
		},
	}, {
		name: "atomic: every target that pushes an image gets a merge node, even with one platform",
		req:  &plan.Request{DefaultPlatform: "linux/amd64", Atomic: true},
		targets: []fx{
			{name: "one", dockerfile: "one.Dockerfile", outputs: registry},
			{name: "image", dockerfile: "image.Dockerfile", outputs: []string{"type=image,push=true"}},
			{name: "file", dockerfile: "file.Dockerfile", outputs: []string{"type=oci,dest=x.tar"}},
		},
		want: []string{
			"file@linux/amd64 L0 default export",
			"image@linux/amd64 L0 default merge",
			"one@linux/amd64 L0 default merge",
			"image#index L1 image@linux/amd64 <- image@linux/amd64",
			"one#index L1 one@linux/amd64 <- one@linux/amd64",
		},
	}, {
		name: "links per platform, and a single-platform dependency serves every platform",
		targets: []fx{
			{name: "app", platforms: amdArm, outputs: registry, contexts: []kv{{"base", "target:base"}, {"tools", "target:tools"}}},
			{name: "base", platforms: []string{"linux/arm64", "linux/amd64", "linux/s390x"}, linked: true},
			{name: "tools", dockerfile: "tools.Dockerfile", linked: true},
		},
		want: []string{
			"base@linux/amd64 L0 dependency", "base@linux/arm64 L0 dependency", "base@linux/s390x L0 dependency",
			"tools@linux/amd64 L0 default dependency",
			"app@linux/amd64 L1 merge <- base@linux/amd64 tools@linux/amd64",
			"app@linux/arm64 L1 merge <- base@linux/arm64 tools@linux/amd64",
			"app#index L2 app@linux/amd64,app@linux/arm64 <- app@linux/amd64 app@linux/arm64",
		},
	}, {
		name: "two contexts on the same target are one dependency",
		targets: []fx{
			{name: "app", contexts: []kv{{"a", "target:base"}, {"b", "target:base"}}},
			{name: "base"},
		},
		want: []string{
			"base@linux/amd64 L0 default export",
			"app@linux/amd64 L1 default export <- base@linux/amd64",
		},
	}, {
		name: "identical targets share solves; the first name names them; each keeps its merge",
		targets: []fx{
			{name: "web", platforms: amdArm, tags: []string{"r/web"}, outputs: registry},
			{name: "site", platforms: []string{"linux/arm64", "linux/amd64"}, tags: []string{"r/site"}, outputs: []string{"type=docker"}},
		},
		want: []string{
			"site@linux/amd64 L0 merge [site:export web:merge]",
			"site@linux/arm64 L0 merge [site:export web:merge]",
			"web#index L1 site@linux/amd64,site@linux/arm64 <- site@linux/amd64 site@linux/arm64",
		},
	}, {
		name: "a requested target identical to a dependency is one solve",
		targets: []fx{
			{name: "app", contexts: []kv{{"base", "target:base"}}},
			{name: "base", linked: true},
			{name: "base-copy", outputs: []string{"type=docker"}},
		},
		want: []string{
			"base@linux/amd64 L0 default export [base:dependency base-copy:export]",
			"app@linux/amd64 L1 default export <- base@linux/amd64",
		},
	}, {
		name: "dedup follows dependencies: same inputs from shared solves dedup, others do not",
		targets: []fx{
			{name: "x1", dockerfile: "base.Dockerfile"},
			{name: "x2", dockerfile: "base.Dockerfile"},
			{name: "w", dockerfile: "other.Dockerfile"},
			{name: "y1", contexts: []kv{{"b", "target:x1"}}},
			{name: "y2", contexts: []kv{{"b", "target:x2"}}},
			{name: "y3", contexts: []kv{{"b", "target:w"}}},
			{name: "y4", contexts: []kv{{"c", "target:x1"}}},
		},
		want: []string{
			"w@linux/amd64 L0 default export",
			"x1@linux/amd64 L0 default export [x1:export x2:export]",
			"y1@linux/amd64 L1 default export [y1:export y2:export] <- x1@linux/amd64",
			"y3@linux/amd64 L1 default export <- w@linux/amd64",
			"y4@linux/amd64 L1 default export <- x1@linux/amd64",
		},
	}, {
		name: "a default platform and the same platform written out share a solve",
		targets: []fx{
			{name: "a"},
			{name: "b", platforms: []string{"linux/amd64"}},
			{name: "c", platforms: []string{"local"}},
		},
		want: []string{"a@linux/amd64 L0 export [a:export b:export c:export]"},
	}, {
		name:    "emulation: amd64 runs 386, arm64 runs only arm64",
		req:     &plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/amd64", "linux/arm64"}},
		targets: []fx{{name: "app", platforms: []string{"linux/amd64", "linux/386", "linux/arm64", "linux/arm/v7", "linux/s390x", "linux/amd64/v3"}}},
		want: []string{
			"app@linux/386 L0 native export",
			"app@linux/amd64 L0 native export",
			"app@linux/amd64/v3 L0 emulated export",
			"app@linux/arm/v7 L0 emulated export",
			"app@linux/arm64 L0 native export",
			"app@linux/s390x L0 emulated export",
		},
	}, {
		name:    "emulation: arm/v7 runs arm/v6, arm64/v8.2 runs arm64, amd64/v3 runs amd64/v2",
		req:     &plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/arm/v7", "linux/arm64/v8.2", "linux/amd64/v3"}},
		targets: []fx{{name: "app", platforms: []string{"linux/arm/v6", "linux/arm/v8", "linux/arm64", "linux/arm64/v8.3", "linux/amd64/v2", "linux/amd64/v4"}}},
		want: []string{
			"app@linux/amd64/v2 L0 native export",
			"app@linux/amd64/v4 L0 emulated export",
			"app@linux/arm/v6 L0 native export",
			"app@linux/arm/v8 L0 emulated export",
			"app@linux/arm64 L0 native export",
			"app@linux/arm64/v8.3 L0 emulated export",
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req := defaultReq
			if tc.req != nil {
				req = *tc.req
			}
			p := mustPlan(t, req, tc.targets...)
			if d := cmp.Diff(tc.want, summary(p)); d != "" {
				t.Errorf("plan (-want +got):\n%s", d)
			}
			checkInvariants(t, p)
		})
	}
}

// checkInvariants asserts what every plan guarantees: unique IDs,
// dependencies before dependents, levels one more than the deepest
// dependency, sorted deps, and Emulated matching the nodes.
func checkInvariants(t *testing.T, p *plan.Plan) {
	t.Helper()
	seen := map[string]*plan.Node{}
	emulated := 0
	for _, n := range p.Nodes {
		if seen[n.ID] != nil {
			t.Errorf("duplicate node %s", n.ID)
		}
		if !slices.IsSorted(n.Deps) {
			t.Errorf("%s: deps not sorted: %v", n.ID, n.Deps)
		}
		level := 0
		for _, d := range n.Deps {
			dn := seen[d]
			if dn == nil {
				t.Errorf("%s: dependency %s is not before it", n.ID, d)
				continue
			}
			level = max(level, dn.Level+1)
		}
		if n.Level != level {
			t.Errorf("%s: level %d, want %d", n.ID, n.Level, level)
		}
		if (n.Kind == plan.KindSolve) != (n.Solve != nil) || (n.Kind == plan.KindMerge) != (n.Merge != nil) {
			t.Errorf("%s: kind %s does not match its payload", n.ID, n.Kind)
		}
		if n.Solve != nil && (len(n.Solve.Roles) != len(n.Solve.Targets) || len(n.Solve.TargetPlatforms) != len(n.Solve.Targets)) {
			t.Errorf("%s: %d roles and %d platform sets for %d targets", n.ID,
				len(n.Solve.Roles), len(n.Solve.TargetPlatforms), len(n.Solve.Targets))
		}
		if n.Exec == plan.ExecEmulated {
			emulated++
		}
		seen[n.ID] = n
	}
	if emulated != p.Emulated {
		t.Errorf("Emulated = %d, nodes say %d", p.Emulated, emulated)
	}
}

func TestNewDedupKey(t *testing.T) {
	s := func(v string) *string { return &v }
	yes := true
	// Each mutation changes the build, so the two targets stay apart.
	differ := map[string]func(*bake.Target){
		"context":           func(t *bake.Target) { t.Context = s("./other") },
		"dockerfile":        func(t *bake.Target) { t.Dockerfile = s("other.Dockerfile") },
		"dockerfile-inline": func(t *bake.Target) { t.DockerfileInline = s("FROM scratch") },
		"target":            func(t *bake.Target) { t.Target = s("build") },
		"args":              func(t *bake.Target) { t.Args = map[string]*string{"V": s("2")} },
		"labels":            func(t *bake.Target) { t.Labels = map[string]*string{"l": s("x")} },
		"contexts":          func(t *bake.Target) { t.Contexts = map[string]string{"src": "../src"} },
		"secret":            func(t *bake.Target) { t.Secrets = []*bake.Secret{{ID: "npm", Env: "NPM_TOKEN"}} },
		"ssh":               func(t *bake.Target) { t.SSH = []*bake.SSH{{ID: "default"}} },
		"network":           func(t *bake.Target) { t.Network = s("host") },
		"no-cache":          func(t *bake.Target) { t.NoCache = &yes },
		"no-cache-filter":   func(t *bake.Target) { t.NoCacheFilter = []string{"deps"} },
		"pull":              func(t *bake.Target) { t.Pull = &yes },
		"attest":            func(t *bake.Target) { t.Attest = []*bake.Attest{{Type: "sbom"}} },
		"annotations":       func(t *bake.Target) { t.Annotations = []string{"a=b"} },
		"cache-from": func(t *bake.Target) {
			t.CacheFrom = []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": "r/c"}}}
		},
		"cache-to":     func(t *bake.Target) { t.CacheTo = []*bake.CacheEntry{{Type: "inline"}} },
		"shm-size":     func(t *bake.Target) { t.ShmSize = s("1g") },
		"ulimits":      func(t *bake.Target) { t.Ulimits = []string{"nofile=1024"} },
		"resources":    func(t *bake.Target) { t.Resources = &bake.Resources{Memory: s("1g")} },
		"call":         func(t *bake.Target) { t.Call = s("check") },
		"entitlements": func(t *bake.Target) { t.Entitlements = []string{"network.host"} },
		"extra-hosts":  func(t *bake.Target) { t.ExtraHosts = map[string]*string{"h": s("1.2.3.4")} },
		"policy":       func(t *bake.Target) { t.Policy = []*bake.Policy{{Filename: "p.rego"}} },
		"args null":    func(t *bake.Target) { t.Args = map[string]*string{"V": nil} },
	}
	// These only name or place the result: the targets share a solve.
	same := map[string]func(*bake.Target){
		"tags":        func(t *bake.Target) { t.Tags = []string{"r/b"} },
		"outputs":     func(t *bake.Target) { t.Outputs = []*bake.Export{{Type: "docker"}} },
		"description": func(t *bake.Target) { t.Description = "other" },
		"empty args":  func(t *bake.Target) { t.Args = map[string]*string{} },
	}
	run := func(t *testing.T, mod func(*bake.Target), wantNodes int) {
		p := mustPlan(t, defaultReq,
			fx{name: "a", tags: []string{"r/a"}},
			fx{name: "b", tags: []string{"r/a"}, mod: mod},
		)
		if len(p.Nodes) != wantNodes {
			t.Errorf("got %d nodes, want %d: %v", len(p.Nodes), wantNodes, summary(p))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(differ)) {
		t.Run("differ/"+name, func(t *testing.T) { run(t, differ[name], 2) })
	}
	for _, name := range slices.Sorted(maps.Keys(same)) {
		t.Run("same/"+name, func(t *testing.T) { run(t, same[name], 1) })
	}
}

// TestNewDeterministic plans the same definition with its targets and
// their maps in many orders and expects byte-identical output.
func TestNewDeterministic(t *testing.T) {
	def, _ := monorepo()
	var want []byte
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		shuffled := &bake.Definition{Targets: slices.Clone(def.Targets)}
		rng.Shuffle(len(shuffled.Targets), func(a, b int) {
			shuffled.Targets[a], shuffled.Targets[b] = shuffled.Targets[b], shuffled.Targets[a]
		})
		p, diags := plan.New(shuffled, monorepoReq)
		if diags.HasErrors() {
			t.Fatal(diags)
		}
		var buf bytes.Buffer
		if err := p.WriteJSON(&buf); err != nil {
			t.Fatal(err)
		}
		for _, f := range plan.GraphFormats {
			if err := p.WriteGraph(&buf, f); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			want = buf.Bytes()
		} else if !bytes.Equal(want, buf.Bytes()) {
			t.Fatalf("run %d differs from run 0", i)
		}
	}
}

func TestNewNilDefinition(t *testing.T) {
	p, diags := plan.New(nil, plan.Request{})
	if diags.HasErrors() || p == nil || len(p.Nodes) != 0 {
		t.Fatalf("New(nil) = %v, %v; want an empty plan", p, diags)
	}
	var buf bytes.Buffer
	if err := p.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"solves\": 0,\n  \"merges\": 0,\n  \"native\": 0,\n  \"emulated\": 0,\n  \"nodes\": []\n}\n"
	if buf.String() != want {
		t.Errorf("WriteJSON = %q, want %q", buf.String(), want)
	}
}

// TestNewTargetPlatforms: what the executor names outputs by is the
// planned platform set, not the raw list: "local" and repeats fold into
// one platform, and a solve shared by targets of different counts answers
// for each of them.
func TestNewTargetPlatforms(t *testing.T) {
	p := mustPlan(t, defaultReq,
		fx{name: "app", platforms: []string{"local", "linux/amd64"}, tags: []string{"r/app"}, outputs: registry},
		fx{name: "multi", dockerfile: "m.Dockerfile", platforms: []string{"linux/arm64", "linux/amd64"}, outputs: []string{"type=docker"}},
		fx{name: "one", dockerfile: "m.Dockerfile", platforms: []string{"linux/amd64,linux/amd64"}, outputs: []string{"type=docker"}},
	)
	type row struct {
		Node, Target string
		Role         plan.Role
		Platforms    []string
		PerPlatform  bool
	}
	var got []row
	for _, n := range p.Nodes {
		if n.Merge != nil {
			t.Errorf("unexpected merge node %s", n.ID)
			continue
		}
		s := n.Solve
		for i, tg := range s.Targets {
			got = append(got, row{n.ID, tg.Name, s.Roles[i], s.TargetPlatforms[i], s.PerPlatform(i)})
		}
	}
	want := []row{
		{"app@linux/amd64", "app", plan.RoleExport, []string{"linux/amd64"}, false},
		{"multi@linux/amd64", "multi", plan.RoleExport, []string{"linux/arm64", "linux/amd64"}, true},
		{"multi@linux/amd64", "one", plan.RoleExport, []string{"linux/amd64"}, false},
		{"multi@linux/arm64", "multi", plan.RoleExport, []string{"linux/arm64", "linux/amd64"}, true},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// runPlatforms is a fake Request.Dockerfiles: "target@platform" names the
// platforms the RUN steps of that build run on (a step per platform, on
// lines 1, 2, ...); a build it does not list cannot be told. It records
// the build platforms it was asked with.
type runPlatforms struct {
	runs   map[string][]string
	builds []string
}

func (r *runPlatforms) Build(t *bake.Target, p, build ocispec.Platform) (*plan.DockerfileBuild, bool) {
	r.builds = append(r.builds, platforms.Format(build))
	names, ok := r.runs[t.Name+"@"+platforms.Format(p)]
	if !ok {
		return nil, false
	}
	db := &plan.DockerfileBuild{File: "Dockerfile", Images: []plan.BaseImage{{Ref: "golang", Platform: p, Line: 1}}}
	for i, n := range names {
		db.Runs = append(db.Runs, plan.RunStep{Platform: platforms.MustParse(n), Line: i + 2, Command: "RUN step"})
	}
	return db, true
}

// TestNewCrossPerPlatform: a solve of a foreign platform is cross when
// every RUN step of the stages it needs for that platform runs natively,
// which may differ from one platform of a target to the next.
func TestNewCrossPerPlatform(t *testing.T) {
	runs := &runPlatforms{runs: map[string][]string{
		"app@linux/arm64":   {"linux/amd64", "linux/386"}, // amd64 runs 386
		"app@linux/riscv64": {"linux/amd64", "linux/riscv64"},
		"app@linux/s390x":   {}, // no RUN at all
	}}
	req := plan.Request{DefaultPlatform: "linux/amd64", BuilderPlatforms: []string{"linux/amd64", "linux/arm/v7"}, Dockerfiles: runs}
	p := mustPlan(t, req,
		fx{name: "app", platforms: []string{"linux/amd64", "linux/arm64", "linux/riscv64", "linux/s390x"}},
		fx{name: "other", dockerfile: "other.Dockerfile", platforms: []string{"linux/arm64"}},
	)
	want := []string{
		"app@linux/amd64 L0 native export",
		"app@linux/arm64 L0 cross export",
		"app@linux/riscv64 L0 emulated export",
		"app@linux/s390x L0 cross export",
		"other@linux/arm64 L0 emulated export", // cannot tell: the slow path
	}
	if d := cmp.Diff(want, summary(p)); d != "" {
		t.Errorf("plan (-want +got):\n%s", d)
	}
	if p.Emulated != 2 {
		t.Errorf("Emulated = %d, want 2", p.Emulated)
	}
	// Every solve is asked (for the images it pulls); BUILDPLATFORM is the
	// first builder platform.
	if d := cmp.Diff([]string{"linux/amd64", "linux/amd64", "linux/amd64", "linux/amd64", "linux/amd64"}, runs.builds); d != "" {
		t.Errorf("build platforms asked (-want +got):\n%s", d)
	}
	// An emulated solve lists its steps under QEMU, and only those.
	var riscv *plan.Node
	for _, n := range p.Nodes {
		if n.ID == "app@linux/riscv64" {
			riscv = n
		}
	}
	wantRuns := []plan.RunStep{{Platform: platforms.MustParse("linux/riscv64"), Line: 3, Command: "RUN step"}}
	if d := cmp.Diff(wantRuns, riscv.Solve.EmulatedRuns); d != "" {
		t.Errorf("emulated runs (-want +got):\n%s", d)
	}
	if len(riscv.Solve.Images) != 1 || riscv.Solve.Dockerfile != "Dockerfile" {
		t.Errorf("images %v of %q, want golang of Dockerfile", riscv.Solve.Images, riscv.Solve.Dockerfile)
	}
}
