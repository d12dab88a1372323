package digests_test

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/digests"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// images is a fake registry: a reference and its digest.
type images map[string]string

func (m images) ResolveImage(_ context.Context, ref string) (string, error) {
	if d, ok := m[ref]; ok {
		return d, nil
	}
	return "", fmt.Errorf("%s: not found", ref)
}

const (
	busyboxV1 = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
	busyboxV2 = "sha256:2222222222222222222222222222222222222222222222222222222222222222"
)

// project is a small monorepo on disk: a base target and an app that
// builds FROM it through a `target:` context.
type project struct {
	dir    string
	images images
	env    map[string]string
	// edit changes the targets before planning.
	edit func(base, app *bake.Target)
	// revision is the commit BUILDX_GIT_LABELS would label images with
	// ("": the option is off).
	revision string
}

func newProject(t *testing.T) *project {
	t.Helper()
	dir := t.TempDir()
	write(t, dir, "base/Dockerfile", "FROM localhost:5000/xbake/busybox\nCOPY lib.sh /lib.sh\n")
	write(t, dir, "base/lib.sh", "echo lib\n")
	write(t, dir, "app/Dockerfile", "FROM base AS app\nARG GREETING\nCOPY . /app\n")
	write(t, dir, "app/main.sh", "echo hello\n")
	write(t, dir, "app/.dockerignore", "*.log\nnotes/\n")
	write(t, dir, "app/debug.log", "not sent\n")
	write(t, dir, "app/notes/todo.txt", "not sent either\n")
	write(t, dir, "secret.txt", "s3cret\n")
	symlink(t, dir, "main.sh", "app/link")
	return &project{dir: dir, images: images{"localhost:5000/xbake/busybox": busyboxV1}, env: map[string]string{}}
}

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func str(s string) *string { return &s }

// digests plans the project for two platforms and returns its set.
func (p *project) digests(t *testing.T) *digests.Set {
	t.Helper()
	base := &bake.Target{Name: "base", Context: str("base"), Platforms: []string{"linux/amd64", "linux/arm64"}, Linked: true}
	app := &bake.Target{
		Name: "app", Context: str("app"), Contexts: map[string]string{"base": "target:base"},
		Platforms: []string{"linux/amd64", "linux/arm64"},
		Args:      map[string]*string{"GREETING": str("hi")},
		Tags:      []string{"localhost:5000/app:1"},
		Outputs:   []*bake.Export{{Type: "registry", Attrs: map[string]string{}}},
		Secrets:   []*bake.Secret{{ID: "token", FilePath: "secret.txt"}},
	}
	if p.edit != nil {
		p.edit(base, app)
	}
	pl, diags := plan.New(&bake.Definition{Targets: []*bake.Target{app, base}}, plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	opt := digests.Options{WorkDir: p.dir, Images: p.images, Getenv: func(k string) string { return p.env[k] }}
	if p.revision != "" {
		opt.GitLabels = func(context.Context, *inputs.Request) map[string]string {
			return map[string]string{"label:org.opencontainers.image.revision": p.revision}
		}
	}
	h := digests.NewHasher(opt)
	set, err := h.Plan(context.Background(), pl, nil)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// The digest changes when, and only when, something that reaches the
// build changes; when it does, the parts say what.
func TestDigestChangesWithInputs(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(t *testing.T, p *project)
		// changed are app@linux/amd64's changed parts; none means the
		// target's digest must stay.
		changed []string
	}{
		{"nothing", func(*testing.T, *project) {}, nil},
		{"a file of the context", func(t *testing.T, p *project) { write(t, p.dir, "app/main.sh", "echo bye\n") }, []string{"context"}},
		{"a new file of the context", func(t *testing.T, p *project) { write(t, p.dir, "app/extra.sh", "") }, []string{"context"}},
		{"an empty folder in the context", func(t *testing.T, p *project) { mkdir(t, p.dir, "app/empty") }, []string{"context"}},
		{"a file .dockerignore excludes", func(t *testing.T, p *project) { write(t, p.dir, "app/debug.log", "changed\n") }, nil},
		{"a file in a folder .dockerignore excludes", func(t *testing.T, p *project) { write(t, p.dir, "app/notes/new.txt", "x") }, nil},
		{".dockerignore itself", func(t *testing.T, p *project) { write(t, p.dir, "app/.dockerignore", "*.log\n") }, []string{"context"}},
		{"the Dockerfile's own ignore file wins", func(t *testing.T, p *project) {
			write(t, p.dir, "app/Dockerfile.dockerignore", "*.log\nnotes/\n.dockerignore\n")
		}, []string{"context"}},
		{"mtime only", func(t *testing.T, p *project) {
			later := time.Now().Add(time.Hour)
			for _, f := range []string{"app/main.sh", "app", "base/lib.sh", "app/Dockerfile"} {
				if err := os.Chtimes(filepath.Join(p.dir, f), later, later); err != nil {
					t.Fatal(err)
				}
			}
		}, nil},
		{"a file mode", func(t *testing.T, p *project) { chmod(t, p.dir, "app/main.sh", 0o755) }, []string{"context"}},
		{"a symlink's target", func(t *testing.T, p *project) {
			if err := os.Remove(filepath.Join(p.dir, "app/link")); err != nil {
				t.Fatal(err)
			}
			symlink(t, p.dir, "Dockerfile", "app/link")
		}, []string{"context"}},
		{"the Dockerfile", func(t *testing.T, p *project) {
			write(t, p.dir, "app/Dockerfile", "FROM base\nARG GREETING\nCOPY . /app/\n")
		}, []string{"context", "dockerfile"}}, // the Dockerfile is in the context too
		{"an arg", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Args["GREETING"] = str("hello") }
		}, []string{"args"}},
		{"a label", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Labels = map[string]*string{"x": str("y")} }
		}, []string{"labels"}},
		{"a secret's value", func(t *testing.T, p *project) { write(t, p.dir, "secret.txt", "other\n") }, nil},
		{"a secret's id", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Secrets[0].ID = "token2" }
		}, []string{"secret"}},
		{"the tags", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Tags = []string{"localhost:5000/app:2"} }
		}, nil},
		{"no-cache and pull", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) {
				app.NoCache, app.Pull = new(bool), new(bool)
				*app.NoCache, *app.Pull = true, true
			}
		}, nil},
		{"a base image moved to a new digest", func(t *testing.T, p *project) {
			p.images["localhost:5000/xbake/busybox"] = busyboxV2
		}, []string{"contexts.base"}},
		{"a dependency's input", func(t *testing.T, p *project) { write(t, p.dir, "base/lib.sh", "echo lib2\n") }, []string{"contexts.base"}},
		{"a dependency's attestation does not reach its dependents", func(t *testing.T, p *project) {
			p.edit = func(base, _ *bake.Target) { base.Attest = []*bake.Attest{{Type: "sbom"}} }
		}, nil},
		{"default provenance off", func(t *testing.T, p *project) { p.env["BUILDX_NO_DEFAULT_ATTESTATIONS"] = "1" }, []string{"provenance"}},
		{"the commit that BUILDX_GIT_LABELS labels images with", func(t *testing.T, p *project) { p.revision = "abc123" }, []string{"git-labels"}},
		{"annotations", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Annotations = []string{"index,manifest:x=y"} }
		}, []string{"annotations"}},
		{"its own attestations", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Attest = []*bake.Attest{{Type: "sbom"}} }
		}, []string{"attest"}},
		{"the target stage", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Target = str("app") }
		}, []string{"target"}},
		{"a local named context", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Contexts["src"] = "base" }
		}, []string{"contexts.src"}},
		{"an ssh id", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.SSH = []*bake.SSH{{ID: "default"}} }
		}, []string{"ssh"}},
		{"the network", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Network = str("none") }
		}, []string{"network"}},
		{"extra hosts", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.ExtraHosts = map[string]*string{"db": str("10.0.0.2")} }
		}, []string{"extra-hosts"}},
		{"shm-size", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.ShmSize = str("128m") }
		}, []string{"shm-size"}},
		{"ulimits", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Ulimits = []string{"nofile=1024:1024"} }
		}, []string{"ulimits"}},
		{"entitlements", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Entitlements = []string{"network.host"} }
		}, []string{"entitlements"}},
		{"--call, which exports nothing", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Call = str("check") }
		}, []string{"call", "provenance"}},
		{"no-cache-filter and the caches", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) {
				app.NoCacheFilter = []string{"app"}
				app.CacheFrom = []*bake.CacheEntry{{Type: "registry", Attrs: map[string]string{"ref": "localhost:5000/app:cache"}}}
				app.CacheTo = []*bake.CacheEntry{{Type: "inline", Attrs: map[string]string{}}}
			}
		}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t)
			before := p.digests(t)
			tt.edit(t, p)
			after := p.digests(t)
			b, a := before.Solves["app@linux/amd64"], after.Solves["app@linux/amd64"]
			if a.Unknown != "" || b.Unknown != "" {
				t.Fatalf("unknown: %q / %q", b.Unknown, a.Unknown)
			}
			changed, ok := a.Changed(b.Annotations())
			if !ok {
				t.Fatal("no record")
			}
			if !slices.Equal(changed, tt.changed) {
				t.Errorf("changed parts %q, want %q", changed, tt.changed)
			}
			same := before.Targets["app"].Digest == after.Targets["app"].Digest
			if same != (len(tt.changed) == 0) {
				t.Errorf("target digest %s -> %s, want changed=%v", before.Targets["app"].Digest, after.Targets["app"].Digest, len(tt.changed) > 0)
			}
		})
	}
}

func mkdir(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, dir, name string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(filepath.Join(dir, name), mode); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, dir, target, name string) {
	t.Helper()
	if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

// Two checkouts of one tree in different folders, with other times and
// the same modes, have the same digests: nothing absolute, no mtime.
func TestDigestSameInAnotherCheckout(t *testing.T) {
	p := newProject(t)
	before := p.digests(t)
	moved := t.TempDir()
	if out, err := exec.Command("cp", "-a", p.dir+"/.", moved).CombinedOutput(); err != nil {
		t.Fatalf("cp: %v\n%s", err, out)
	}
	later := time.Now().Add(48 * time.Hour)
	if err := filepath.WalkDir(moved, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		return os.Chtimes(path, later, later)
	}); err != nil {
		t.Fatal(err)
	}
	p.dir = moved
	after := p.digests(t)
	for _, id := range []string{"base@linux/amd64", "base@linux/arm64", "app@linux/amd64", "app@linux/arm64"} {
		if b, a := before.Solves[id], after.Solves[id]; b.Digest == "" || b.Digest != a.Digest {
			t.Errorf("%s: %s, in another checkout %s", id, b.Digest, a.Digest)
		}
	}
	if before.Targets["app"].Digest != after.Targets["app"].Digest {
		t.Errorf("app: %s, in another checkout %s", before.Targets["app"].Digest, after.Targets["app"].Digest)
	}
	// And the platforms differ from each other.
	if before.Solves["app@linux/amd64"].Digest == before.Solves["app@linux/arm64"].Digest {
		t.Error("both platforms have one digest")
	}
}

// A context that several solves send is read once per run: here four
// solves (two targets, two platforms) share one context.
func TestDigestReadsASharedContextOnce(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "Dockerfile", "FROM scratch\nCOPY . /\n")
	for i := range 10 {
		write(t, dir, fmt.Sprintf("f%d", i), strings.Repeat("x", 1000))
	}
	var targets []*bake.Target
	for _, name := range []string{"one", "two"} {
		targets = append(targets, &bake.Target{Name: name, Context: str("."), Platforms: []string{"linux/amd64", "linux/arm64"},
			Args: map[string]*string{"NAME": str(name)}})
	}
	pl, diags := plan.New(&bake.Definition{Targets: targets}, plan.Request{DefaultPlatform: "linux/amd64"})
	if diags.HasErrors() {
		t.Fatal(diags.Error())
	}
	h := digests.NewHasher(digests.Options{WorkDir: dir})
	set, err := h.Plan(context.Background(), pl, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Solves) != 4 {
		t.Fatalf("%d solves", len(set.Solves))
	}
	for id, s := range set.Solves {
		if s.Digest == "" {
			t.Errorf("%s: %s", id, s.Unknown)
		}
	}
	// The Dockerfile is in the context: 11 files, each read once.
	if got := h.Stats().Files.Load(); got != 11 {
		t.Errorf("read %d files, want 11", got)
	}
	if got := h.Stats().Bytes.Load(); got != 10*1000+int64(len("FROM scratch\nCOPY . /\n")) {
		t.Errorf("read %d bytes", got)
	}
}

// What the build alone can know gives no digest, and says why.
func TestDigestUnknown(t *testing.T) {
	for _, tt := range []struct {
		name string
		edit func(t *testing.T, p *project)
		want string // app@linux/amd64's Unknown
	}{
		{"a remote context", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Context = str("https://alice:s3cret@github.com/xbake/xbake.git#main") }
		}, "the context is a remote URL (https://xxxxx@github.com/xbake/xbake.git#main): its content is known only to the build"},
		{"a remote named context", func(t *testing.T, p *project) {
			p.edit = func(_, app *bake.Target) { app.Contexts["src"] = "https://example.com/src.tar.gz" }
		}, "contexts.src is a remote URL (https://example.com/src.tar.gz): its content is known only to the build"},
		{"ADD of a URL", func(t *testing.T, p *project) {
			write(t, p.dir, "app/Dockerfile", "FROM base\nADD https://token@example.com/tool.tgz /tool.tgz\n")
		}, "ADD https://xxxxx@example.com/tool.tgz is fetched by the build: give it --checksum"},
		{"a base image the registry does not have", func(t *testing.T, p *project) {
			write(t, p.dir, "app/Dockerfile", "FROM base\nCOPY --from=localhost:5000/nope /x /x\n")
		}, "image:localhost:5000/nope: localhost:5000/nope: not found"},
		{"a dependency without a digest", func(t *testing.T, p *project) {
			write(t, p.dir, "base/Dockerfile", "FROM localhost:5000/xbake/busybox\nADD git@github.com:x/y.git /y\n")
		}, "contexts.base (target base): ADD git@github.com:x/y.git is fetched by the build: give it --checksum"},
		{"no Dockerfile", func(t *testing.T, p *project) {
			if err := os.Remove(filepath.Join(p.dir, "app/Dockerfile")); err != nil {
				t.Fatal(err)
			}
		}, "reading the Dockerfile: open DIR/app/Dockerfile: no such file or directory"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := newProject(t)
			tt.edit(t, p)
			set := p.digests(t)
			s := set.Solves["app@linux/amd64"]
			if want := strings.ReplaceAll(tt.want, "DIR", p.dir); s.Unknown != want || s.Digest != "" {
				t.Errorf("unknown %q (digest %q), want %q", s.Unknown, s.Digest, want)
			}
			if set.Targets["app"].Digest != "" || set.Targets["app"].Tag() != "" || s.Annotations() != nil {
				t.Error("a target with an unknown solve has a digest or a record")
			}
		})
	}
}

// An ADD of a URL with --checksum is pinned; a pinned image needs no
// registry.
func TestDigestPinned(t *testing.T) {
	p := newProject(t)
	write(t, p.dir, "base/Dockerfile", "FROM localhost:5000/xbake/busybox@sha256:"+strings.Repeat("3", 64)+"\n")
	write(t, p.dir, "app/Dockerfile", "FROM base\nADD --checksum=sha256:"+strings.Repeat("4", 64)+" https://example.com/t.tgz /t\n")
	p.images = images{}
	if s := p.digests(t).Solves["app@linux/amd64"]; s.Digest == "" {
		t.Errorf("no digest: %s", s.Unknown)
	}
}

// The images a build reads are parts of their own: FROM, COPY --from and
// RUN --mount=from, of the stages the build needs only; an image that
// comes through a docker-image:// named context is that context's part.
func TestDigestImageParts(t *testing.T) {
	p := newProject(t)
	write(t, p.dir, "app/Dockerfile", "FROM localhost:5000/unused AS unused\nFROM tools AS t\nFROM base\n"+
		"COPY --from=localhost:5000/lib:1 /l /l\nRUN --mount=from=localhost:5000/cache:2,target=/c true\nCOPY --from=t /x /x\n")
	p.images["localhost:5000/lib:1"] = busyboxV2
	p.images["localhost:5000/cache:2"] = busyboxV2
	p.images["localhost:5000/tools:3"] = busyboxV1
	p.edit = func(_, app *bake.Target) { app.Contexts["tools"] = "docker-image://localhost:5000/tools:3" }
	s := p.digests(t).Solves["app@linux/amd64"]
	if s.Unknown != "" {
		t.Fatal(s.Unknown)
	}
	var got []string
	for k, v := range s.Parts {
		if strings.HasPrefix(k, "image:") || strings.HasPrefix(k, "contexts.") {
			got = append(got, k+"="+v)
		}
	}
	slices.Sort(got)
	want := []string{"contexts.base=" + p.digests(t).Solves["base@linux/amd64"].Result, "contexts.tools=" + busyboxV1,
		"image:localhost:5000/cache:2=" + busyboxV2, "image:localhost:5000/lib:1=" + busyboxV2}
	if !slices.Equal(got, want) {
		t.Errorf("parts %q, want %q", got, want)
	}
}

// Every field of bake.Target is an input that a row of
// TestDigestChangesWithInputs changes (or that has a test of its own), or
// is named here with why it is not one: a new attribute fails here until
// the digests say what it is.
func TestDigestCoversEveryAttribute(t *testing.T) {
	inputs := []string{"Annotations", "Attest", "Context", "Contexts", "Dockerfile", "DockerfileInline", "Args",
		"Labels", "Target", "Secrets", "SSH", "Platforms", "Network", "ShmSize", "Ulimits", "Call", "Entitlements",
		"ExtraHosts", "Outputs"} // Outputs: TestDigestOutputs
	notInputs := map[string]string{
		"Name":          "names the result",
		"Description":   "says nothing to BuildKit",
		"Tags":          "where the image goes, not what it is",
		"CacheFrom":     "how to build, not what",
		"CacheTo":       "how to build, not what",
		"Pull":          "how to build: every image is resolved anyway",
		"NoCache":       "how to build, not what",
		"NoCacheFilter": "how to build, not what",
		"Resources":     "how to build (cgroup limits, outside BuildKit's cache key too): TestDigestIgnoresResources",
		"Policy":        "not sent to BuildKit",
		"Linked":        "the plan's role (Solve.Role) is what counts",
		"Source":        "positions for messages",
	}
	typ := reflect.TypeOf(bake.Target{})
	for i := range typ.NumField() {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		if _, ok := notInputs[f.Name]; !ok && !slices.Contains(inputs, f.Name) {
			t.Errorf("bake.Target.%s: is it an input of the digests (parts.go)? Add a row to TestDigestChangesWithInputs, or say here why not", f.Name)
		}
	}
}

// A target's resources reach BuildKit (inputs.Of) but change no digest.
func TestDigestIgnoresResources(t *testing.T) {
	p := newProject(t)
	before := p.digests(t).Solves["app@linux/amd64"]
	p.edit = func(_, app *bake.Target) {
		m, q := "64m", int64(50000)
		app.Resources = &bake.Resources{Memory: &m, CPUQuota: &q}
	}
	after := p.digests(t).Solves["app@linux/amd64"]
	if before.Digest == "" || before.Digest != after.Digest {
		t.Errorf("digest %s with resources, %s without", after.Digest, before.Digest)
	}
}

// What a registry output does to the image (compression, media types) is
// part of its target's digest, not of its solves'; where it goes (name,
// push-by-digest, insecure) is neither.
func TestDigestOutputs(t *testing.T) {
	p := newProject(t)
	before := p.digests(t)
	for _, tt := range []struct {
		attrs   map[string]string
		changes bool
	}{
		{map[string]string{"compression": "zstd"}, true},
		{map[string]string{"oci-mediatypes": "true"}, true},
		{map[string]string{"name": "localhost:5000/other", "push-by-digest": "true", "registry.insecure": "true"}, false},
	} {
		p.edit = func(_, app *bake.Target) { app.Outputs[0].Attrs = tt.attrs }
		after := p.digests(t)
		if b, a := before.Solves["app@linux/amd64"].Digest, after.Solves["app@linux/amd64"].Digest; b != a {
			t.Errorf("%v: the solve's digest changed", tt.attrs)
		}
		if changed := before.Targets["app"].Digest != after.Targets["app"].Digest; changed != tt.changes {
			t.Errorf("%v: the target's digest changed: %v, want %v", tt.attrs, changed, tt.changes)
		}
	}
}
