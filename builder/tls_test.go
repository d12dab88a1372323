package builder_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/executor/executortest"
)

// tcp:// takes its TLS files from the flags, or from BUILDKIT_TLS* when no
// flag is given; relative paths are relative to the working folder. The
// files are read at once: a bad one is a configuration error.
func TestResolveTLSSources(t *testing.T) {
	dir := t.TempDir()
	executortest.Certs(t, dir)
	vars := map[string]string{"HOME": t.TempDir()}
	resolve := func(opt builder.Options) (*builder.Builder, error) {
		opt.Getenv = func(k string) string { return vars[k] }
		return builder.Resolve(opt)
	}
	b, err := resolve(builder.Options{Name: "tcp://127.0.0.1:1234", TLSDir: ".", WorkDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := *b.Nodes[0].TLS, (builder.TLS{CA: filepath.Join(dir, "ca.pem"), Cert: filepath.Join(dir, "cert.pem"), Key: filepath.Join(dir, "key.pem")}); got != want {
		t.Errorf("--tlsdir: %+v, want %+v", got, want)
	}
	b, err = resolve(builder.Options{Name: "tcp://127.0.0.1:1234", TLS: builder.TLS{CA: "ca.pem"}, WorkDir: dir})
	if err != nil || b.Nodes[0].TLS.CA != filepath.Join(dir, "ca.pem") {
		t.Errorf("--tlscacert relative: %v %+v", err, b)
	}

	vars["BUILDKIT_HOST"] = "tcp://127.0.0.1:1234"
	vars["BUILDKIT_TLSCACERT"] = filepath.Join(dir, "ca.pem")
	vars["BUILDKIT_TLSCERT"] = filepath.Join(dir, "cert.pem")
	vars["BUILDKIT_TLSKEY"] = filepath.Join(dir, "key.pem")
	vars["BUILDKIT_TLSSERVERNAME"] = "buildkitd"
	b, err = resolve(builder.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := b.Nodes[0].TLS; got.ServerName != "buildkitd" || got.Key != vars["BUILDKIT_TLSKEY"] {
		t.Errorf("environment: %+v", got)
	}
	// Flags replace the environment as a whole.
	b, err = resolve(builder.Options{TLS: builder.TLS{CA: filepath.Join(dir, "ca.pem")}})
	if err != nil || b.Nodes[0].TLS.Cert != "" {
		t.Errorf("flags over environment: %v %+v", err, b.Nodes[0].TLS)
	}

	for _, c := range []struct {
		key, value, want string
	}{
		{"BUILDKIT_TLSKEY", filepath.Join(dir, "other-key.pem"), "client certificate " + filepath.Join(dir, "cert.pem") + " and key " + filepath.Join(dir, "other-key.pem") + ": tls: private key does not match public key"},
		{"BUILDKIT_TLSKEY", "", "a client certificate needs both cert and key files"},
		{"BUILDKIT_TLSCACERT", filepath.Join(dir, "key.pem"), "CA certificate " + filepath.Join(dir, "key.pem") + " holds no PEM certificate"},
		{"BUILDKIT_TLSCACERT", filepath.Join(dir, "none.pem"), "CA certificate " + filepath.Join(dir, "none.pem") + " does not exist"},
	} {
		old := vars[c.key]
		vars[c.key] = c.value
		_, err := resolve(builder.Options{})
		vars[c.key] = old
		if err == nil || !builder.IsConfigError(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: %v, want a configuration error with %q", c.key, c.value, err, c.want)
		}
	}
}
