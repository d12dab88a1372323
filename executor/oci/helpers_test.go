package oci

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// fastBackoff keeps retry tests in milliseconds.
var fastBackoff = Backoff{Base: time.Millisecond, Max: 4 * time.Millisecond}

// target is a registry a test runs against, with what it takes to write
// to it directly (bypassing the code under test).
type target struct {
	kind string         // "mem" or "stack"
	host string         // host:port
	auth authn.Keychain // credentials for direct writes
	conf string         // a DOCKER_CONFIG dir with those credentials
}

// memRegistry starts ggcr's in-memory registry on 127.0.0.1.
func memRegistry(t *testing.T) target {
	t.Helper()
	s := httptest.NewServer(registry.New(registry.Logger(nopLogger())))
	t.Cleanup(s.Close)
	return target{kind: "mem", host: strings.TrimPrefix(s.URL, "http://"), auth: authn.NewMultiKeychain(), conf: t.TempDir()}
}

// stackRegistries returns the real registries of the local stack (see
// scripts/stack.sh env): skipped without them, failed in CI.
func stackRegistry(t *testing.T, withAuth bool) target {
	t.Helper()
	vars := []string{"XBAKE_REGISTRY"}
	if withAuth {
		vars = []string{"XBAKE_AUTH_REGISTRY", "XBAKE_AUTH_USER", "XBAKE_AUTH_PASSWORD"}
	}
	for _, v := range vars {
		if os.Getenv(v) == "" {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not set and CI is: start the local stack (make up; eval \"$(scripts/stack.sh env)\")", v)
			}
			t.Skipf("%s not set: run make up and eval \"$(scripts/stack.sh env)\" to test against the real registries", v)
		}
	}
	if !withAuth {
		host := os.Getenv("XBAKE_REGISTRY")
		requireLoopback(t, host)
		return target{kind: "stack", host: host, auth: authn.NewMultiKeychain(), conf: t.TempDir()}
	}
	host := os.Getenv("XBAKE_AUTH_REGISTRY")
	requireLoopback(t, host)
	user, pass := os.Getenv("XBAKE_AUTH_USER"), os.Getenv("XBAKE_AUTH_PASSWORD")
	return target{kind: "stack", host: host, auth: staticKeychain{authn.FromConfig(authn.AuthConfig{Username: user, Password: pass})}, conf: writeDockerConfig(t, host, user, pass)}
}

func requireLoopback(t *testing.T, host string) {
	t.Helper()
	if !isLoopback(host) {
		t.Fatalf("refusing to test against %s: only loopback registries", host)
	}
}

// forEachRegistry runs fn against the in-memory registry and, when the
// local stack runs, against its real plain registry.
func forEachRegistry(t *testing.T, fn func(t *testing.T, reg target)) {
	t.Run("mem", func(t *testing.T) { fn(t, memRegistry(t)) })
	t.Run("stack", func(t *testing.T) { fn(t, stackRegistry(t, false)) })
}

// writeDockerConfig writes a DOCKER_CONFIG dir whose auths entry holds
// user:pass for host, as "docker login" would.
func writeDockerConfig(t *testing.T, host, user, pass string) string {
	t.Helper()
	dir := t.TempDir()
	cfg := map[string]any{"auths": map[string]any{host: map[string]string{
		"auth": base64.StdEncoding.EncodeToString([]byte(user + ":" + pass)),
	}}}
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.json"), b, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

type staticKeychain struct{ a authn.Authenticator }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) { return k.a, nil }

// uniqueRepo names a fresh repository, so that runs against a long-lived
// registry never see each other's tags.
func uniqueRepo(t *testing.T, reg target, base string) string {
	return fmt.Sprintf("%s/xbake-oci-test/%s-%s-%08x", reg.host, base,
		strings.ToLower(strings.NewReplacer("/", "-", "#", "-").Replace(t.Name())), rand.Uint32())
}

func testClient(reg target, opts ...Option) *Client {
	return NewClient(append([]Option{WithDockerConfig(reg.conf), WithBackoff(fastBackoff)}, opts...)...)
}

// platformImage is a random OCI image whose config says platform p.
func platformImage(t *testing.T, p ocispec.Platform) v1.Image {
	t.Helper()
	img, err := random.Image(512, 1)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	img = mutate.MediaType(img, types.OCIManifestSchema1)
	return mutate.ConfigMediaType(img, types.OCIConfigJSON)
}

// pushByDigest pushes img as repo@digest, as BuildKit's push-by-digest
// does, and returns its descriptor with platform p.
func pushByDigest(t *testing.T, reg target, repo string, img v1.Image, p ocispec.Platform) (Manifest, ocispec.Descriptor) {
	t.Helper()
	d, err := img.Digest()
	if err != nil {
		t.Fatal(err)
	}
	ref := mustParse(t, repo+"@"+d.String())
	if err := remote.Write(ref, img, remote.WithAuthFromKeychain(reg.auth)); err != nil {
		t.Fatalf("pushing %s: %v", ref, err)
	}
	desc := descriptorOf(t, img)
	desc.Platform = &p
	return Manifest{Ref: ref.String(), Descriptor: desc}, desc
}

func descriptorOf(t *testing.T, m interface {
	Digest() (v1.Hash, error)
	Size() (int64, error)
	MediaType() (types.MediaType, error)
}) ocispec.Descriptor {
	t.Helper()
	d, err := m.Digest()
	if err != nil {
		t.Fatal(err)
	}
	size, err := m.Size()
	if err != nil {
		t.Fatal(err)
	}
	mt, err := m.MediaType()
	if err != nil {
		t.Fatal(err)
	}
	return ocispec.Descriptor{MediaType: string(mt), Digest: digest.Digest(d.String()), Size: size}
}

func mustParse(t *testing.T, s string) name.Reference {
	t.Helper()
	ref, err := parseRef(s)
	if err != nil {
		t.Fatal(err)
	}
	return ref
}

// rawIndex fetches ref directly and decodes it as an index.
func rawIndex(t *testing.T, reg target, ref string) (*remote.Descriptor, ocispec.Index) {
	t.Helper()
	d, err := remote.Get(mustParse(t, ref), remote.WithAuthFromKeychain(reg.auth))
	if err != nil {
		t.Fatalf("fetching %s: %v", ref, err)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(d.Manifest, &idx); err != nil {
		t.Fatalf("decoding %s: %v", ref, err)
	}
	return d, idx
}

// headStatus returns the HTTP status of HEAD ref (200 or 404).
func headStatus(t *testing.T, reg target, ref string) int {
	t.Helper()
	_, err := remote.Head(mustParse(t, ref), remote.WithAuthFromKeychain(reg.auth))
	if err == nil {
		return http.StatusOK
	}
	var te *transport.Error
	if errors.As(err, &te) && te.StatusCode == http.StatusNotFound {
		return http.StatusNotFound
	}
	t.Fatalf("HEAD %s: %v", ref, err)
	return 0
}

// pushIndexDirect writes an index of imgs (each with its platform and
// extra descriptor annotations) to ref, bypassing the code under test.
func pushIndexDirect(t *testing.T, reg target, ref string, adds ...mutate.IndexAddendum) v1.ImageIndex {
	t.Helper()
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	idx = mutate.AppendManifests(idx, adds...)
	if err := remote.WriteIndex(mustParse(t, ref), idx, remote.WithAuthFromKeychain(reg.auth)); err != nil {
		t.Fatalf("pushing index %s: %v", ref, err)
	}
	return idx
}

var (
	linuxAMD64 = ocispec.Platform{OS: "linux", Architecture: "amd64"}
	linuxARM64 = ocispec.Platform{OS: "linux", Architecture: "arm64"}
	linuxARMv7 = ocispec.Platform{OS: "linux", Architecture: "arm", Variant: "v7"}
)

func nopLogger() *log.Logger { return log.New(io.Discard, "", 0) }
