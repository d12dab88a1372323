package executor_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor/executortest"
)

// Named contexts of every client-side kind: a local folder, a registry
// image, and an OCI layout written by an earlier run.
func TestIntegrationNamedContexts(t *testing.T) {
	r := newRun(t)
	r.file("assets/hello.txt", "hello from assets\n")
	// An OCI layout to read back as a context.
	layout := r.target("layout", nil, "FROM scratch\nCOPY assets/hello.txt /from-layout\n",
		&bake.Export{Type: "oci", Dest: "layout", Attrs: map[string]string{"tar": "false"}})
	rep, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "layout", Target: layout}))
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	dgst := rep.Nodes[0].Result.Descriptor.Digest
	if dgst == "" {
		t.Fatal("no digest for the OCI layout")
	}

	app := r.target("app", nil, `FROM img
COPY --from=assets hello.txt /hello
COPY --from=lay /from-layout /from-layout
RUN cat /hello /from-layout > /all
`, &bake.Export{Type: "local", Dest: "out"})
	app.Contexts = map[string]string{
		"img":    "docker-image://" + r.env.Registry + "/xbake/busybox",
		"assets": "assets",
		"lay":    "oci-layout://layout@" + dgst.String(),
	}
	if _, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: app})); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	dt, _ := os.ReadFile(filepath.Join(r.dir, "out", "all"))
	if string(dt) != "hello from assets\nhello from assets\n" {
		t.Errorf("/all = %q", dt)
	}
}

// ssh entries with a key file give the build an agent socket; secrets
// come from files too.
func TestIntegrationSSHAndSecretFile(t *testing.T) {
	r := newRun(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	r.file("id_test", string(pem.EncodeToMemory(block)))
	r.file("token.txt", "file-secret")
	tgt := r.target("app", nil, "FROM "+r.env.Registry+"/xbake/busybox\n"+
		"RUN --mount=type=ssh test -S \"$SSH_AUTH_SOCK\" && echo agent > /ssh\n"+
		"RUN --mount=type=secret,id=tok wc -c < /run/secrets/tok > /secret-len\n",
		&bake.Export{Type: "local", Dest: "out"})
	tgt.SSH = []*bake.SSH{{ID: "default", Paths: []string{"id_test"}}}
	tgt.Secrets = []*bake.Secret{{ID: "tok", FilePath: "token.txt"}}
	tgt.NoCache = ptr(true)
	if _, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: tgt})); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	for f, want := range map[string]string{"ssh": "agent", "secret-len": "11"} {
		dt, _ := os.ReadFile(filepath.Join(r.dir, "out", f))
		if strings.TrimSpace(string(dt)) != want {
			t.Errorf("/%s = %q, want %q", f, dt, want)
		}
	}
}
