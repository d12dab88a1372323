package compose_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/compose"
	xhcl "github.com/xbake/xbake/hcl"
)

func sp(s string) *string { return &s }
func bp(b bool) *bool     { return &b }

var cmpTargets = cmp.Options{
	cmpopts.IgnoreFields(bake.Target{}, "Source"),
	cmpopts.IgnoreFields(bake.Group{}, "DeclRange"),
	cmpopts.IgnoreUnexported(bake.Target{}, bake.Group{}),
	cmpopts.EquateEmpty(),
}

// loadCompose loads Compose sources named compose.yaml, compose2.yaml, ...
// with no environment and no .env (dir is empty).
func loadCompose(t *testing.T, opts compose.Options, srcs ...string) (*bake.ComposeConfig, hcl.Diagnostics) {
	t.Helper()
	if opts.Dir == "" {
		opts.Dir = t.TempDir()
	}
	var files []xhcl.File
	for i, src := range srcs {
		name := "compose.yaml"
		if i > 0 {
			name = "compose" + string(rune('1'+i)) + ".yaml"
		}
		files = append(files, xhcl.File{Name: name, Data: []byte(src)})
	}
	return compose.Load(files, opts)
}

func mustLoadCompose(t *testing.T, opts compose.Options, srcs ...string) *bake.ComposeConfig {
	t.Helper()
	cfg, diags := loadCompose(t, opts, srcs...)
	if len(diags) > 0 {
		t.Fatalf("unexpected diagnostics: %v", diags)
	}
	return cfg
}

func TestLoadComposeMapping(t *testing.T) {
	tests := []struct {
		name   string
		srcs   []string
		want   []*bake.Target
		groups []*bake.Group
	}{{
		name: "build string is the context, image the tag",
		srcs: []string{`
services:
  db:
    build: ./db
    command: ./entrypoint.sh
    image: docker.io/tonistiigi/db
`},
		want:   []*bake.Target{{Name: "db", Context: sp("db"), Tags: []string{"docker.io/tonistiigi/db"}}},
		groups: []*bake.Group{{Name: "default", Targets: []string{"db"}}},
	}, {
		name: "every build key",
		srcs: []string{`
services:
  webapp:
    image: ignored/because:tags
    build:
      context: ./dir
      dockerfile: Dockerfile-alternate
      additional_contexts:
        foo: ./bar
        img: docker-image://alpine:3.20
        base: service:db.main
        other: target:tool
      network: none
      args:
        buildno: 123
        FROM_ENV:
        UNSET:
        NULLED: null
      labels:
        com.example.description: Accounting webapp
      cache_from:
        - type=local,src=path/to/cache
        - user/app:cache
      cache_to:
        - type=local,dest=path/to/cache
      ssh:
        - other=/path/to/key
        - default
      secrets:
        - token
        - aws
      tags:
        - me/webapp:1
        - me/webapp:latest
      platforms:
        - linux/amd64
        - linux/arm64
      shm_size: 128m
      ulimits:
        nproc: 65535
        nofile:
          soft: 20000
          hard: 40000
      extra_hosts:
        - somehost=162.242.195.82
        - "ipv6host=::1"
        - somehost=50.31.209.229
      target: prod
      sbom: true
      provenance: mode=max
      no_cache: true
      pull: true
    environment:
      FROM_ENV: from-environment
    ports:
      - 8080:80
    depends_on:
      - db
  db.main:
    image: postgres
    build: ./db
secrets:
  token:
    environment: ENV_TOKEN
  aws:
    file: ./aws/credentials
`},
		want: []*bake.Target{{
			Name:    "db_main",
			Context: sp("db"),
			Tags:    []string{"postgres"},
		}, {
			Name:       "webapp",
			Context:    sp("dir"),
			Dockerfile: sp("Dockerfile-alternate"),
			Contexts: map[string]string{
				"foo": "bar", "img": "docker-image://alpine:3.20", "base": "target:db_main", "other": "target:tool",
			},
			Network:   sp("none"),
			Args:      map[string]*string{"buildno": sp("123"), "FROM_ENV": sp("from-environment")},
			Labels:    map[string]*string{"com.example.description": sp("Accounting webapp")},
			CacheFrom: []*bake.CacheEntry{{Type: "local", Attrs: map[string]string{"src": "path/to/cache"}}, {Type: "registry", Attrs: map[string]string{"ref": "user/app:cache"}}},
			CacheTo:   []*bake.CacheEntry{{Type: "local", Attrs: map[string]string{"dest": "path/to/cache"}}},
			SSH:       []*bake.SSH{{ID: "default"}, {ID: "other", Paths: []string{"/path/to/key"}}},
			Secrets:   []*bake.Secret{{ID: "token", Env: "ENV_TOKEN"}, {ID: "aws", FilePath: "aws/credentials"}},
			Tags:      []string{"me/webapp:1", "me/webapp:latest"},
			Platforms: []string{"linux/amd64", "linux/arm64"},
			ShmSize:   sp("128MiB"),
			Ulimits:   []string{"nofile=20000:40000", "nproc=65535:65535"},
			ExtraHosts: map[string]*string{
				"somehost": sp("162.242.195.82,50.31.209.229"), "ipv6host": sp("::1"),
			},
			Target:  sp("prod"),
			Attest:  []*bake.Attest{{Type: "sbom", Attrs: map[string]string{}}, {Type: "provenance", Attrs: map[string]string{"mode": "max"}}},
			NoCache: bp(true),
			Pull:    bp(true),
		}},
		groups: []*bake.Group{{Name: "default", Targets: []string{"db_main", "webapp"}}},
	}, {
		name: "dockerfile_inline, disabled attestations, odd shm size",
		srcs: []string{`
services:
  app:
    build:
      dockerfile_inline: |
        FROM alpine
      sbom: false
      provenance: "1"
      shm_size: 1610612736
`},
		want: []*bake.Target{{
			Name:             "app",
			Context:          sp("."), // compose-go's default
			DockerfileInline: sp("FROM alpine\n"),
			ShmSize:          sp("1.5GiB"),
			Attest: []*bake.Attest{
				{Type: "sbom", Disabled: true, Attrs: map[string]string{}},
				{Type: "provenance", Attrs: map[string]string{}},
			},
		}},
		groups: []*bake.Group{{Name: "default", Targets: []string{"app"}}},
	}, {
		name: "services without build are skipped, dots become underscores, profiles are all on",
		srcs: []string{`
services:
  external:
    image: verycooldb:1337
  web.app:
    build:
      context: .
      target: webapp
  tools:
    profiles: [dev]
    build:
      context: ./tools
`},
		want: []*bake.Target{
			{Name: "tools", Context: sp("tools")},
			{Name: "web_app", Context: sp("."), Target: sp("webapp")},
		},
		groups: []*bake.Group{{Name: "default", Targets: []string{"tools", "web_app"}}},
	}, {
		name: "services that map to one target name are merged",
		srcs: []string{`
services:
  web.app:
    build:
      context: ./a
      args: {A: "1"}
  web_app:
    build:
      target: b
      args: {B: "2"}
`},
		want:   []*bake.Target{{Name: "web_app", Context: sp("."), Target: sp("b"), Args: map[string]*string{"A": sp("1"), "B": sp("2")}}},
		groups: []*bake.Group{{Name: "default", Targets: []string{"web_app"}}},
	}, {
		name:   "no service builds: a default group without targets (null, as buildx prints)",
		srcs:   []string{"services:\n  db:\n    image: postgres\n"},
		groups: []*bake.Group{{Name: "default"}},
	}, {
		name: "secrets only: nothing",
		srcs: []string{"secrets:\n  token:\n    file: ./token\n"},
	}, {
		name: "files merge with Compose override rules",
		srcs: []string{`
services:
  app:
    image: me/app
    build:
      context: .
      args:
        A: "1"
      platforms: [linux/amd64]
`, `
services:
  app:
    build:
      target: dev
      args:
        B: "2"
      platforms: [linux/arm64]
  worker:
    build: ./worker
`},
		want: []*bake.Target{
			{Name: "app", Context: sp("."), Target: sp("dev"), Args: map[string]*string{"A": sp("1"), "B": sp("2")},
				Platforms: []string{"linux/amd64", "linux/arm64"}, Tags: []string{"me/app"}},
			{Name: "worker", Context: sp("worker")},
		},
		groups: []*bake.Group{{Name: "default", Targets: []string{"app", "worker"}}},
	}, {
		name: "YAML anchors and merge keys",
		srcs: []string{`
x-build: &build
  context: .
  dockerfile: Dockerfile.webapp
  tags: [me/webapp:latest]
services:
  webapp-dev:
    build: *build
  webapp-release:
    build:
      <<: *build
      x-bake:
        platforms: [linux/amd64, linux/arm64]
`},
		want: []*bake.Target{
			{Name: "webapp-dev", Context: sp("."), Dockerfile: sp("Dockerfile.webapp"), Tags: []string{"me/webapp:latest"}},
			{Name: "webapp-release", Context: sp("."), Dockerfile: sp("Dockerfile.webapp"), Tags: []string{"me/webapp:latest"},
				Platforms: []string{"linux/amd64", "linux/arm64"}},
		},
		groups: []*bake.Group{{Name: "default", Targets: []string{"webapp-dev", "webapp-release"}}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoadCompose(t, compose.Options{}, tt.srcs...)
			if d := cmp.Diff(tt.want, cfg.Targets, cmpTargets); d != "" {
				t.Errorf("targets (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tt.groups, cfg.Groups, cmpTargets); d != "" {
				t.Errorf("groups (-want +got):\n%s", d)
			}
		})
	}
}

func TestLoadComposeEnvironmentArgs(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "app.env"), "FOO=bsdf -csdf\nFROM_FILE=${FROM_OS}-file\n")
	cfg := mustLoadCompose(t, compose.Options{
		Dir:       dir,
		LookupEnv: fakeEnv{"FROM_OS": "os", "BARE": "bare-os"}.lookup,
		Environ:   fakeEnv{"FROM_OS": "os", "BARE": "bare-os"}.environ,
	}, `
services:
  scratch:
    build:
      context: .
      args:
        CT_ECR: foo
        FOO:
        NODE_ENV:
        FROM_FILE:
        FROM_OS:
        BARE:
        NOWHERE:
    environment:
      - NODE_ENV=test
      - BARE
    env_file:
      - app.env
`)
	want := map[string]*string{
		"CT_ECR":    sp("foo"),
		"FOO":       sp("bsdf -csdf"),
		"NODE_ENV":  sp("test"),
		"FROM_FILE": sp("os-file"),
		"FROM_OS":   sp("os"),
		"BARE":      sp("bare-os"),
	}
	if d := cmp.Diff(want, cfg.Targets[0].Args); d != "" {
		t.Errorf("args (-want +got):\n%s", d)
	}
}

type fakeEnv map[string]string

func (e fakeEnv) lookup(k string) (string, bool) { v, ok := e[k]; return v, ok }

func (e fakeEnv) environ() []string {
	var out []string
	for k, v := range e {
		out = append(out, k+"="+v)
	}
	return out
}

func writeFile(t *testing.T, name, data string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Interpolation reads --var values first, then the OS environment (unless
// the lookup is disabled), then .env in the working directory.
func TestLoadComposeInterpolationPrecedence(t *testing.T) {
	src := `
services:
  app:
    build:
      context: .
      args:
        V1: ${V1}
        V2: ${V2}
        V3: ${V3}
        DERIVED: ${DERIVED}
        PROJECT: ${COMPOSE_PROJECT_NAME}
      tags: ["me/app:${V3:-none}"]
`
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, ".env"), "V1=dotenv\nV2=dotenv\nV3=dotenv\nDERIVED=${V2}-derived\n")
	osEnv := fakeEnv{"V1": "os", "V2": "os"}
	tests := []struct {
		name string
		opts compose.Options
		want map[string]string
	}{{
		name: "var over OS env over .env",
		opts: compose.Options{Dir: dir, Vars: map[string]string{"V1": "var"}, LookupEnv: osEnv.lookup, Environ: osEnv.environ},
		want: map[string]string{"V1": "var", "V2": "os", "V3": "dotenv", "DERIVED": "os-derived", "PROJECT": "bake", "tag": "me/app:dotenv"},
	}, {
		name: "env lookup disabled",
		opts: compose.Options{Dir: dir, Vars: map[string]string{"V3": "var"}, Environ: osEnv.environ},
		want: map[string]string{"V1": "dotenv", "V2": "dotenv", "V3": "var", "DERIVED": "dotenv-derived", "PROJECT": "bake", "tag": "me/app:var"},
	}, {
		name: "COMPOSE_PROJECT_NAME names the project",
		opts: compose.Options{Dir: dir, Vars: map[string]string{"COMPOSE_PROJECT_NAME": "foo"}},
		want: map[string]string{"V1": "dotenv", "V2": "dotenv", "V3": "dotenv", "DERIVED": "dotenv-derived", "PROJECT": "foo", "tag": "me/app:dotenv"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := mustLoadCompose(t, tt.opts, src)
			tg := cfg.Targets[0]
			got := map[string]string{"tag": tg.Tags[0]}
			for k, v := range tg.Args {
				got[k] = *v
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}

	t.Run("the file's name is the project name", func(t *testing.T) {
		cfg, _ := loadCompose(t, compose.Options{}, "name: myproject\n"+src)
		if got := *cfg.Targets[0].Args["PROJECT"]; got != "myproject" {
			t.Errorf("PROJECT = %q, want myproject", got)
		}
	})
}

func TestLoadComposeUnsetVariableWarns(t *testing.T) {
	cfg, diags := loadCompose(t, compose.Options{}, `
services:
  app:
    build:
      context: .
      args:
        A: ${MISSING_ONE}
        B: $MISSING_ONE
        C: ${MISSING_DEFAULT:-d}
`)
	if diags.HasErrors() || len(diags) != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	d := diags[0]
	if d.Severity != hcl.DiagWarning || d.Summary != "Variable not set" || !strings.Contains(d.Detail, "MISSING_ONE") {
		t.Errorf("unexpected diagnostic %s: %s", d.Summary, d.Detail)
	}
	if got := d.Subject.String(); got != "compose.yaml:7,12-26" {
		t.Errorf("subject = %s, want compose.yaml:7,12-26", got)
	}
	want := map[string]*string{"A": sp(""), "B": sp(""), "C": sp("d")}
	if diff := cmp.Diff(want, cfg.Targets[0].Args); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}

// TestLoadComposeUnsetVariablePositions: the warning about an unset
// variable points at its first plain reference ($NAME or ${NAME}), in
// the first file that has one: not at a longer name that starts with it,
// a $$ escape or a reference with a default.
func TestLoadComposeUnsetVariablePositions(t *testing.T) {
	_, diags := loadCompose(t, compose.Options{}, `
x-note: "$$LITERAL $MISSING_MORE"
services:
  app:
    build:
      context: .
      args:
        A: ${OTHER:-x}-$OTHER
        B: ${MISSING}
        C: $MISSING
        D: $LITERAL
`, `
services:
  app:
    build:
      args:
        E: ${MISSING}${SECOND}
`)
	var got []string
	for _, d := range diags {
		name := strings.Fields(d.Detail)[2]
		got = append(got, name+" "+d.Subject.String())
	}
	slices.Sort(got)
	want := []string{
		"LITERAL compose.yaml:11,12-20",
		"MISSING compose.yaml:9,12-22",
		"MISSING_MORE compose.yaml:2,20-33",
		"OTHER compose.yaml:8,24-30",
		"SECOND compose2.yaml:6,22-31",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
}

// TestLoadComposeEnvFilesNotRegular: .env and env_file files are read
// whole, so a device, a FIFO (which would block until someone writes) or
// a file over 1 MiB is refused with its name, where it is named, before
// anything reads it (/dev/zero ran out of memory).
func TestLoadComposeEnvFilesNotRegular(t *testing.T) {
	dir := t.TempDir()
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.env"), 0o600); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "big.env"), "A="+strings.Repeat("x", 1<<20)+"\n")
	writeFile(t, filepath.Join(dir, "ok.env"), "A=1\n")
	for _, tc := range []struct{ name, envFile, subject, detail string }{
		{"device", "/dev/zero", "compose.yaml:4,5-13", "reads the env_file /dev/zero, which is not a regular file"},
		{"fifo", "[ok.env, fifo.env]", "compose.yaml:4,24-32", "fifo.env, which is not a regular file"},
		{"too large", "big.env", "compose.yaml:4,5-13", "big.env, which is larger than 1 MiB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, diags := loadCompose(t, compose.Options{Dir: dir}, "services:\n  app:\n    build: .\n    env_file: "+tc.envFile+"\n")
			if len(diags) != 1 || diags[0].Summary != "Invalid env_file" || diags[0].Subject.String() != tc.subject || !strings.Contains(diags[0].Detail, tc.detail) {
				t.Errorf("got %v, want an Invalid env_file at %s: %s", diags, tc.subject, tc.detail)
			}
		})
	}
	for _, tc := range []struct{ name, detail string }{
		{"fifo", "/.env, which is not a regular file."},
		{"big", "/.env, which is larger than 1 MiB."},
	} {
		t.Run(".env "+tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if tc.name == "fifo" {
				if err := syscall.Mkfifo(filepath.Join(dir, ".env"), 0o600); err != nil {
					t.Fatal(err)
				}
			} else {
				writeFile(t, filepath.Join(dir, ".env"), "A="+strings.Repeat("x", 1<<20)+"\n")
			}
			_, diags := loadCompose(t, compose.Options{Dir: dir}, "services:\n  app:\n    build: .\n")
			if len(diags) != 1 || diags[0].Summary != "Invalid .env file" || !strings.Contains(diags[0].Detail, tc.detail) ||
				diags[0].Subject.Filename != filepath.ToSlash(filepath.Join(dir, ".env")) {
				t.Errorf("got %v, want an Invalid .env file: %s", diags, tc.detail)
			}
		})
	}
}

func TestLoadComposeSourceRanges(t *testing.T) {
	cfg := mustLoadCompose(t, compose.Options{}, "services:\n  app:\n    build:\n      context: .\n      x-bake:\n        platforms: [linux/arm64]\n")
	tg := cfg.Targets[0]
	for attr, want := range map[string]string{
		"":          "compose.yaml:2,3-6",
		"context":   "compose.yaml:4,7-14",
		"platforms": "compose.yaml:6,9-18",
		"tags":      "compose.yaml:2,3-6", // unset: the declaration
	} {
		got := tg.Source.DeclRange
		if attr != "" {
			got = tg.AttrRange(attr)
		}
		if got.String() != want {
			t.Errorf("range of %q = %s, want %s", attr, got, want)
		}
	}
}
