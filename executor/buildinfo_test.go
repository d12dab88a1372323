package executor

import (
	"context"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// gitRepo makes a work tree with one commit, an origin remote holding
// credentials, and an app/ folder with a Dockerfile; it returns the root
// and the commit.
func gitRepo(t *testing.T) (string, string) {
	t.Helper()
	root := t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@t", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@t", "GIT_CONFIG_GLOBAL=/dev/null")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q", "-b", "main")
	git("remote", "add", "origin", "https://user:secret@git.example/org/app.git")
	if err := os.MkdirAll(filepath.Join(root, "app"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "app", "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git("add", ".")
	git("commit", "-q", "-m", "one")
	root, _ = filepath.EvalSymlinks(root)
	return root, git("rev-parse", "HEAD")
}

func TestAddBuildInfo(t *testing.T) {
	root, sha := gitRepo(t)
	cases := []struct {
		name    string
		env     map[string]string
		attest  []*bake.Attest
		role    plan.Role
		noAttst bool // the daemon cannot attest
		want    map[string]string
	}{{
		name: "defaults: min provenance and vcs info",
		want: map[string]string{"attest:provenance": "mode=min,inline-only=true",
			"vcs:revision": sha, "vcs:source": "https://xxxxx:xxxxx@git.example/org/app.git",
			"vcs:localdir:context": "app", "vcs:localdir:dockerfile": "app"},
	}, {
		name:   "the target's provenance wins, even disabled",
		attest: []*bake.Attest{{Type: "provenance", Disabled: true}},
		env:    map[string]string{"BUILDX_GIT_INFO": "false"},
		want:   map[string]string{"attest:provenance": "disabled=true"},
	}, {
		name: "BUILDX_NO_DEFAULT_ATTESTATIONS",
		env:  map[string]string{"BUILDX_NO_DEFAULT_ATTESTATIONS": "1", "BUILDX_GIT_INFO": "0"},
		want: map[string]string{},
	}, {
		name:    "a daemon that cannot attest",
		env:     map[string]string{"BUILDX_GIT_INFO": "false"},
		noAttst: true,
		want:    map[string]string{},
	}, {
		name: "labels, with the Dockerfile's path, and a dirty tree",
		env:  map[string]string{"BUILDX_GIT_LABELS": "full", "BUILDX_GIT_INFO": "false", "BUILDX_GIT_CHECK_DIRTY": "true", "BUILDX_NO_DEFAULT_ATTESTATIONS": "true"},
		want: map[string]string{
			"label:org.opencontainers.image.revision":  sha + "-dirty",
			"label:org.opencontainers.image.source":    "https://xxxxx:xxxxx@git.example/org/app.git",
			"label:com.docker.image.source.entrypoint": "app/Dockerfile",
		},
	}, {
		name: "a dependency exports nothing",
		role: plan.RoleDependency,
		want: map[string]string{},
	}}
	// An untracked file makes the tree dirty (only the case that asks for
	// the check sees it).
	if err := os.WriteFile(filepath.Join(root, "untracked"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tgt := &bake.Target{Name: "app", Context: ptr("app"), Attest: c.attest}
			role := c.role
			if role == "" {
				role = plan.RoleExport
			}
			n := solveNode(tgt, "linux/amd64", role)
			in, err := frontendAttrs(n, root)
			if err != nil {
				t.Fatal(err)
			}
			before := maps.Clone(in.attrs)
			b := &Builder{Name: "b"}
			bk := &BuildKit{opt: BuildKitOptions{Getenv: func(k string) string { return c.env[k] }}}
			a := &nodeAnswer{known: true}
			if !c.noAttst {
				a.info = &client.Info{}
			}
			bk.info.nodes = map[*Builder]*nodeAnswer{b: a}
			provenance, err := bk.addBuildInfo(context.Background(), n, in)
			if err != nil {
				t.Fatal(err)
			}
			// What an attempt on b adds (the node may differ per attempt).
			if err := bk.addProvenance(context.Background(), b, provenance, in.attrs); err != nil {
				t.Fatal(err)
			}
			added := map[string]string{}
			for k, v := range in.attrs {
				if before[k] != v {
					added[k] = v
				}
			}
			if _, ok := before["attest:provenance"]; ok {
				added["attest:provenance"] = in.attrs["attest:provenance"]
			}
			if d := cmp.Diff(c.want, added); d != "" {
				t.Errorf("added attributes (-want +got):\n%s", d)
			}
		})
	}

	bk := &BuildKit{opt: BuildKitOptions{Getenv: func(k string) string {
		return map[string]string{"BUILDX_NO_DEFAULT_ATTESTATIONS": "sometimes"}[k]
	}}}
	n := solveNode(&bake.Target{Name: "app"}, "linux/amd64", plan.RoleExport)
	in, _ := frontendAttrs(n, t.TempDir())
	_, err := bk.addBuildInfo(context.Background(), n, in)
	if err == nil || err.Error() != `invalid BUILDX_NO_DEFAULT_ATTESTATIONS="sometimes": want true or false` {
		t.Errorf("err = %v", err)
	}
}

// A node that cannot be reached gives no answer about attestations: the
// attempt fails with the node's (transient) error, so that it is retried
// or moved, and the question stays open for the next attempt there.
func TestCanAttestUnreachable(t *testing.T) {
	cl, err := client.New(t.Context(), "unix://"+filepath.Join(t.TempDir(), "none.sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	b := &Builder{Name: "gone", Client: cl}
	bk := &BuildKit{}
	err = bk.addProvenance(t.Context(), b, true, map[string]string{})
	if err == nil || !IsTransient(err) || !strings.HasPrefix(err.Error(), "asking builder node gone whether it attests: ") {
		t.Fatalf("err = %v", err)
	}
	if a := bk.info.nodes[b]; a == nil || a.known {
		t.Errorf("the answer was cached: %+v", a)
	}
}
