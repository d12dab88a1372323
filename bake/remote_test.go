package bake_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:S3cretPW@example.test/repo.git#main:sub":           "https://xxxxx@example.test/repo.git#main:sub",
		"fetching from http://ghp_token@host/x.git: exit 128":             "fetching from http://xxxxx@host/x.git: exit 128",
		"fatal: unable to access 'https://a%40b:p%2Fw@h/r.git/': 403":     "fatal: unable to access 'https://xxxxx@h/r.git/': 403",
		"two: git://u:p@a/x and https://v:q@b/y":                          "two: git://xxxxx@a/x and https://xxxxx@b/y",
		"https://example.test/path@v1 and git@github.com:org/repo.git":    "https://example.test/path@v1 and git@github.com:org/repo.git",
		"mail user@example.test, docker-image://alpine@sha256:0123456789": "mail user@example.test, docker-image://alpine@sha256:0123456789",
	} {
		if got := bake.RedactURL(in); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", in, got, want)
		}
	}
	got := bake.URLCredentials("https://alice:S3cretPW@h/x and https://a%40b:p%2Fw@h/y")
	want := []string{"alice:S3cretPW", "S3cretPW", "a%40b:p%2Fw", "p%2Fw", "a@b:p/w", "p/w"}
	if !slices.Equal(got, want) {
		t.Errorf("URLCredentials = %q, want %q", got, want)
	}
}

// TestPrintRedactsRemoteURL: --print shows the contexts that point into a
// remote definition's repository without the URL's password.
func TestPrintRedactsRemoteURL(t *testing.T) {
	src := `target "default" {
  context  = "."
  contexts = { assets = "./assets" }
}
`
	files, _, diags := xhcl.Parse([]xhcl.File{{Name: "docker-bake.hcl", Data: []byte(src)}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := bake.Load(files, bake.Options{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	def, diags := cfg.Resolve(bake.Request{Targets: []string{"default"}, RemoteURL: "https://alice:S3cretPW@example.test/defs.git"})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var out bytes.Buffer
	if err := def.WritePrint(&out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "S3cretPW") || !strings.Contains(out.String(), `"assets": "https://xxxxx@example.test/defs.git#:assets"`) {
		t.Errorf("--print:\n%s", out.String())
	}
	if c := *def.Targets[0].Context; c != "https://alice:S3cretPW@example.test/defs.git" {
		t.Errorf("the build lost the credentials: %s", c)
	}
}
