package compose_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/compose"
)

// The x-bake cases are buildx's TestComposeExt and TestComposeExtDedup.
func TestLoadComposeXBake(t *testing.T) {
	cfg := mustLoadCompose(t, compose.Options{}, `
services:
  addon:
    image: ct-addon:bar
    build:
      context: .
      dockerfile: ./Dockerfile
      cache_from:
        - user/app:cache
      cache_to:
        - user/app:cache
      tags:
        - ct-addon:baz
      ssh:
        key: /path/to/key
      args:
        CT_ECR: foo
        CT_TAG: bar
      additional_contexts:
        alpine: docker-image://alpine:3.20
      x-bake:
        contexts:
          alpine: docker-image://alpine:3.13
          base: service:aws
        tags:
          - ct-addon:foo
          - ct-addon:alp
          - ct-addon:baz
        ssh:
          - default
          - other=path/to/otherkey
        platforms:
          - linux/amd64
          - linux/arm64
        cache-from:
          - type=local,src=path/to/cache
        cache-to:
          - type=local,dest=path/to/cache
        pull: true

  aws:
    image: ct-fake-aws:bar
    build:
      dockerfile: ./aws.Dockerfile
      shm_size: 128m
      ulimits:
        nofile:
          soft: 1024
          hard: 1024
      x-bake:
        secret:
          - id=mysecret,src=/local/secret
          - id=mysecret2,src=/local/secret2
        ssh: default
        platforms: linux/arm64
        output: type=docker
        no-cache: true
        no-cache-filter: base deps

  webapp:
    image: app:bar
    build:
      cache_from:
        - user/app:cache
      cache_to:
        - user/app:cache
      tags:
        - ct-addon:foo
      ssh:
        - default
      no_cache: true
      x-bake:
        tags:
          - ct-addon:foo
          - ct-addon:baz
        cache-from:
          - user/app:cache
          - type=local,src=path/to/cache
        cache-to:
          - type=local,dest=path/to/cache
        ssh:
          - default
          - key=path/to/key
        no-cache: false
        pull: false
        output:
          - type=image,push=true
          - ./out

  tagged:
    image: ignored:latest
    build:
      x-bake:
        tags: a:1 a:2
`)
	reg := func(ref string) *bake.CacheEntry {
		return &bake.CacheEntry{Type: "registry", Attrs: map[string]string{"ref": ref}}
	}
	want := []*bake.Target{{
		Name:       "addon",
		Context:    sp("."),
		Dockerfile: sp("./Dockerfile"),
		Args:       map[string]*string{"CT_ECR": sp("foo"), "CT_TAG": sp("bar")},
		Contexts:   map[string]string{"alpine": "docker-image://alpine:3.20", "base": "target:aws"},
		Tags:       []string{"ct-addon:baz", "ct-addon:foo", "ct-addon:alp"},
		Platforms:  []string{"linux/amd64", "linux/arm64"},
		CacheFrom:  []*bake.CacheEntry{reg("user/app:cache"), {Type: "local", Attrs: map[string]string{"src": "path/to/cache"}}},
		CacheTo:    []*bake.CacheEntry{reg("user/app:cache"), {Type: "local", Attrs: map[string]string{"dest": "path/to/cache"}}},
		SSH:        []*bake.SSH{{ID: "default"}, {ID: "key", Paths: []string{"/path/to/key"}}, {ID: "other", Paths: []string{"path/to/otherkey"}}},
		Pull:       bp(true),
	}, {
		Name:          "aws",
		Context:       sp("."),
		Dockerfile:    sp("./aws.Dockerfile"),
		Tags:          []string{"ct-fake-aws:bar"},
		Secrets:       []*bake.Secret{{ID: "mysecret", FilePath: "/local/secret"}, {ID: "mysecret2", FilePath: "/local/secret2"}},
		SSH:           []*bake.SSH{{ID: "default"}},
		Platforms:     []string{"linux/arm64"},
		Outputs:       []*bake.Export{{Type: "docker", Attrs: map[string]string{}}},
		NoCache:       bp(true),
		NoCacheFilter: []string{"base", "deps"},
		ShmSize:       sp("128MiB"),
		Ulimits:       []string{"nofile=1024:1024"},
	}, {
		Name:    "tagged",
		Tags:    []string{"a:1", "a:2"},
		Context: sp("."),
	}, {
		Name:      "webapp",
		Context:   sp("."),
		Tags:      []string{"ct-addon:foo", "ct-addon:baz"},
		CacheFrom: []*bake.CacheEntry{reg("user/app:cache"), {Type: "local", Attrs: map[string]string{"src": "path/to/cache"}}},
		CacheTo:   []*bake.CacheEntry{reg("user/app:cache"), {Type: "local", Attrs: map[string]string{"dest": "path/to/cache"}}},
		SSH:       []*bake.SSH{{ID: "default"}, {ID: "key", Paths: []string{"path/to/key"}}},
		NoCache:   bp(false),
		Pull:      bp(false),
		Outputs:   []*bake.Export{{Type: "image", Attrs: map[string]string{"push": "true"}}, {Type: "local", Dest: "./out", Attrs: map[string]string{}}},
	}}
	if d := cmp.Diff(want, cfg.Targets, cmpTargets); d != "" {
		t.Errorf("targets (-want +got):\n%s", d)
	}
}

func TestLoadComposeWarnsUnknownXBakeField(t *testing.T) {
	cfg, diags := loadCompose(t, compose.Options{}, "services:\n  app:\n    build:\n      x-bake:\n        platfroms: linux/arm64\n        tags: [a]\n")
	if len(diags) != 1 || diags[0].Severity != hcl.DiagWarning || !strings.Contains(diags[0].Detail, `Did you mean "platforms"?`) {
		t.Fatalf("want one warning suggesting platforms, got %v", diags)
	}
	if got := diags[0].Subject.String(); got != "compose.yaml:5,9-18" {
		t.Errorf("subject = %s", got)
	}
	if d := cmp.Diff([]string{"a"}, cfg.Targets[0].Tags); d != "" {
		t.Errorf("tags (-want +got):\n%s", d)
	}
}
