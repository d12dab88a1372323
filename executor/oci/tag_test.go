package oci

import (
	"context"
	"net/http"
	"testing"

	"github.com/xbake/xbake/executor/oci/ocitest"
)

// Tag points tags at a pushed manifest as it is (same digest), in its
// repository and, copied, in another.
func TestTag(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo, other := uniqueRepo(t, reg, "tag"), uniqueRepo(t, reg, "tag-other")
		m, desc := pushByDigest(t, reg, repo, platformImage(t, linuxARM64), linuxARM64)
		got, err := testClient(reg).Tag(context.Background(), []string{repo + ":v1", other + ":v1"}, m.Ref)
		if err != nil {
			t.Fatal(err)
		}
		if got.Digest != desc.Digest || got.MediaType != desc.MediaType {
			t.Errorf("descriptor %+v, want the pushed manifest %+v", got, desc)
		}
		for _, ref := range []string{repo + ":v1", other + ":v1"} {
			in, err := testClient(reg).Inspect(context.Background(), ref)
			if err != nil || in.Digest != desc.Digest {
				t.Errorf("%s: %v, %v; want %s", ref, in, err, desc.Digest)
			}
		}
		// Another digest: the last hex digit changed (one in 16 ends in 0).
		enc := desc.Digest.Encoded()
		last := "0"
		if enc[63] == '0' {
			last = "1"
		}
		if _, err := testClient(reg).Tag(context.Background(), []string{repo + ":v2"}, repo+"@sha256:"+enc[:63]+last); err == nil {
			t.Error("tagging a missing manifest succeeded")
		}
		if st := headStatus(t, reg, repo+":v2"); st != 404 {
			t.Errorf("%s:v2 = %d after a failed tag", repo, st)
		}
	})
}

// An unchanged target is looked up, then its tags point at what the
// lookup found: the manifest is fetched once.
func TestTagAfterLookupFetchesNothingAgain(t *testing.T) {
	forEachRegistry(t, func(t *testing.T, reg target) {
		repo := uniqueRepo(t, reg, "lookup-tag")
		m, desc := pushByDigest(t, reg, repo, platformImage(t, linuxARM64), linuxARM64)
		c := testClient(reg)
		if _, err := c.Tag(context.Background(), []string{repo + ":record"}, m.Ref); err != nil {
			t.Fatal(err)
		}
		p := ocitest.NewProxy(t, reg.host)
		in, err := c.Lookup(context.Background(), p.Swap(repo)+":record")
		if err != nil || in == nil || in.Digest != desc.Digest {
			t.Fatalf("Lookup = %+v, %v", in, err)
		}
		if _, err := c.Tag(context.Background(), []string{p.Swap(repo) + ":v1"}, p.Swap(repo)+"@"+in.Digest.String()); err != nil {
			t.Fatal(err)
		}
		if n := p.Count(http.MethodGet, "/manifests/"); n != 1 {
			t.Errorf("%d manifest GETs, want 1 (the lookup's): %q", n, p.Seen())
		}
	})
}
