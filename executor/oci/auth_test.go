package oci

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/registry"
)

const (
	memUser     = "builder"
	memPassword = "s3cret-for-tests"
)

// memAuthRegistry is the in-memory registry behind HTTP basic auth, as a
// registry with an htpasswd file answers.
func memAuthRegistry(t *testing.T) target {
	t.Helper()
	h := registry.New(registry.Logger(nopLogger()))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != memUser || p != memPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
			return
		}
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	host := strings.TrimPrefix(s.URL, "http://")
	return target{
		kind: "mem",
		host: host,
		auth: staticKeychain{authn.FromConfig(authn.AuthConfig{Username: memUser, Password: memPassword})},
		conf: writeDockerConfig(t, host, memUser, memPassword),
	}
}

func forEachAuthRegistry(t *testing.T, fn func(t *testing.T, reg target)) {
	t.Run("mem", func(t *testing.T) { fn(t, memAuthRegistry(t)) })
	t.Run("stack", func(t *testing.T) { fn(t, stackRegistry(t, true)) })
}

// secretOf returns the password a target's config holds, to check that
// no error prints it.
func secretOf(t *testing.T, reg target) string {
	if reg.kind == "mem" {
		return memPassword
	}
	return os.Getenv("XBAKE_AUTH_PASSWORD")
}

func TestAuthFromDockerConfig(t *testing.T) {
	forEachAuthRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "auth")
		m, want := pushByDigest(t, reg, repo, platformImage(t, linuxARM64), linuxARM64)
		tag := repo + ":v1"

		t.Run("auths entry", func(t *testing.T) {
			got, err := testClient(reg).PushIndex(context.Background(), []string{tag}, []Manifest{m}, nil)
			if err != nil {
				t.Fatal(err)
			}
			in, err := testClient(reg).Inspect(context.Background(), tag)
			if err != nil {
				t.Fatal(err)
			}
			if in.Digest != got.Digest || len(in.Manifests) != 1 || in.Manifests[0].Digest != want.Digest || platformID(*in.Manifests[0].Platform) != "linux/arm64" {
				t.Errorf("inspect = %+v; want index %s over %s (linux/arm64)", in, got.Digest, want.Digest)
			}
		})
		t.Run("DOCKER_CONFIG environment", func(t *testing.T) {
			t.Setenv("DOCKER_CONFIG", reg.conf)
			in, err := NewClient(WithBackoff(fastBackoff)).Inspect(context.Background(), m.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if in.Digest != want.Digest || platformID(*in.Platform) != "linux/arm64" {
				t.Errorf("inspect = %+v; want %s (linux/arm64)", in, want.Digest)
			}
		})
		t.Run("credential helper", func(t *testing.T) {
			conf := helperConfig(t, reg.host, reg.kind)
			in, err := NewClient(WithDockerConfig(conf), WithBackoff(fastBackoff)).Inspect(context.Background(), m.Ref)
			if err != nil {
				t.Fatal(err)
			}
			if in.Digest != want.Digest {
				t.Errorf("inspect digest = %s, want %s", in.Digest, want.Digest)
			}
		})
		t.Run("no credentials", func(t *testing.T) {
			_, err := NewClient(WithDockerConfig(t.TempDir()), WithBackoff(fastBackoff)).Inspect(context.Background(), m.Ref)
			wantAuthError(t, err, reg, "no credentials for registry "+reg.host, `run "docker login `+reg.host+`"`, "DOCKER_CONFIG")
		})
		t.Run("wrong password", func(t *testing.T) {
			conf := writeDockerConfig(t, reg.host, memUser, "not-the-password")
			_, err := NewClient(WithDockerConfig(conf), WithBackoff(fastBackoff)).PushIndex(context.Background(), []string{repo + ":v2"}, []Manifest{m}, nil)
			wantAuthError(t, err, reg, "registry "+reg.host+" rejected the credentials", `"docker login `+reg.host+`" again`)
			if strings.Contains(err.Error(), "not-the-password") {
				t.Errorf("error prints the configured password: %v", err)
			}
		})
	})
}

func wantAuthError(t *testing.T, err error, reg target, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("succeeded without valid credentials")
	}
	t.Log(err)
	for _, w := range wants {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	if s := secretOf(t, reg); s != "" && strings.Contains(err.Error(), s) {
		t.Errorf("error prints the password: %v", err)
	}
	if IsTransient(err) {
		t.Errorf("IsTransient(%v) = true; an auth failure is not retried", err)
	}
}

// helperConfig writes a DOCKER_CONFIG dir whose credHelpers entry sends
// host to a docker-credential-xbaketest program on PATH, which answers
// with the target's credentials.
func helperConfig(t *testing.T, host, kind string) string {
	t.Helper()
	user, pass := memUser, memPassword
	if kind == "stack" {
		user, pass = os.Getenv("XBAKE_AUTH_USER"), os.Getenv("XBAKE_AUTH_PASSWORD")
	}
	bin := t.TempDir()
	script := fmt.Sprintf("#!/bin/sh\n[ \"$1\" = get ] || exit 1\nread server\nprintf '{\"ServerURL\":\"%%s\",\"Username\":\"%s\",\"Secret\":\"%s\"}' \"$server\"\n", user, pass)
	if err := os.WriteFile(filepath.Join(bin, "docker-credential-xbaketest"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	conf := t.TempDir()
	cfg := fmt.Sprintf(`{"credHelpers":{%q:"xbaketest"}}`, host)
	if err := os.WriteFile(filepath.Join(conf, "config.json"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	return conf
}
