//go:build !xbakefront

package main

import (
	"context"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/xbake/xbake/plan"
)

// A run asks the registry about an image once, however many solves pull
// it and whether the input digests or the base-image check asks; an
// answer its asker's context cut short is asked again.
func TestImageCacheAsksOnce(t *testing.T) {
	var mu sync.Mutex
	manifests := 0
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "/manifests/") {
			mu.Lock()
			manifests++
			mu.Unlock()
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	ref := strings.TrimPrefix(srv.URL, "http://") + "/base:1"
	var idx v1.ImageIndex = empty.Index
	for _, p := range []string{"linux/amd64", "linux/arm64"} {
		img, err := random.Image(64, 1)
		if err != nil {
			t.Fatal(err)
		}
		pl, _ := v1.ParsePlatform(p)
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: pl}})
	}
	want, err := idx.Digest()
	if err != nil {
		t.Fatal(err)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}

	a := &app{getenv: func(string) string { return "" }}
	c := a.images(&plan.Plan{})
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.ResolveImage(canceled, ref); err == nil {
		t.Fatal("an asker whose context ended got an answer")
	}
	mu.Lock()
	manifests = 0
	mu.Unlock()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if i%2 == 0 {
				if got, err := c.ResolveImage(context.Background(), ref); err != nil || got != want.String() {
					t.Errorf("ResolveImage = %s, %v; want %s", got, err, want)
				}
				return
			}
			if got, err := c.Platforms(context.Background(), ref); err != nil || len(got) != 2 || got[1].Architecture != "arm64" {
				t.Errorf("Platforms = %v, %v", got, err)
			}
		})
	}
	wg.Wait()
	if a.images(&plan.Plan{}) != c {
		t.Error("a second imageCache for the same run")
	}
	if manifests != 1 {
		t.Errorf("%d manifest requests, want 1", manifests)
	}
}
