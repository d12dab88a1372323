package bake_test

import (
	"testing"
	"time"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// loadTests loads files (name, content pairs) and decodes the tests of
// the targets requested.
func loadTests(t *testing.T, targets []string, files ...string) ([]*bake.Test, hcl.Diagnostics) {
	t.Helper()
	var in []xhcl.File
	for i := 0; i < len(files); i += 2 {
		in = append(in, xhcl.File{Name: files[i], Data: []byte(files[i+1])})
	}
	parsed, _, diags := xhcl.Parse(in)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := bake.Load(parsed, bake.Options{Vars: map[string]string{"GREETING": "Hello"}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	def, diags := cfg.Resolve(bake.Request{Targets: targets})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	return cfg.Tests(def)
}

// TestTests: test blocks decode with the file's variables and functions,
// in declaration order; an override file changes one attribute of a
// test; only the tests of targets built are returned; a variable may
// share the name "test".
func TestTests(t *testing.T) {
	got, diags := loadTests(t, []string{"app", "api"}, "xbuild.hcl", `
variable "GREETING" { default = "Hi" }
variable "test" { default = "x" }
target "app" { args = { T = test } }
target "api" { contexts = { base = "target:base" } }
target "base" {}
target "other" {}
test "hello" {
  target  = "app"
  command = ["/hello", lower("--${GREETING}")]
  expect  = "${GREETING}, $TARGETARCH!"
  env     = { B = "2", A = "1" }
}
test "base-only" {
  target  = "base"
  command = ["true"]
}
test "other" {
  target  = "other"
  command = ["true"]
}
test "api" {
  target    = "api"
  command   = ["/api", "--version"]
  platforms = ["linux/arm64"]
  timeout   = "30s"
}
`, "xbuild.override.hcl", `
test "hello" {
  timeout = "5s"
}
`)
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	want := []*bake.Test{
		{Name: "hello", Target: "app", Command: []string{"/hello", "--hello"}, Expect: "Hello, $TARGETARCH!",
			Env: map[string]string{"A": "1", "B": "2"}, Timeout: 5 * time.Second},
		{Name: "api", Target: "api", Command: []string{"/api", "--version"}, Platforms: []string{"linux/arm64"}, Timeout: 30 * time.Second},
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(bake.Test{}, "DeclRange", "PlatformRanges")); d != "" {
		t.Errorf("tests (-want +got):\n%s", d)
	}
	if r := got[1].PlatformRanges[0]; r.Start.Line != 25 || r.Start.Column != 16 {
		t.Errorf("the platform's range: %v", r)
	}
	re, err := got[0].ExpectFor(platforms.MustParse("linux/arm/v7"))
	if err != nil {
		t.Fatal(err)
	}
	if !re.MatchString("> Hello, arm!\n") || re.MatchString("Hello, amd64!") {
		t.Errorf("%s: matches the wrong greeting", re)
	}
	if re, _ := (&bake.Test{Expect: "[$TARGETPLATFORM] $TARGETVARIANT."}).ExpectFor(platforms.MustParse("linux/arm/v7")); re.String() != `[linux/arm/v7] v7.` {
		t.Errorf("platform values are quoted: %s", re)
	}
}

// TestTestsJSON: in a JSON file "test" holds test blocks when its value
// is objects, and is a global value otherwise, as buildx reads it.
func TestTestsJSON(t *testing.T) {
	got, diags := loadTests(t, []string{"app"}, "xbuild.json", `{
  "target": {"app": {}},
  "test": {"hello": {"target": "app", "command": ["/hello"], "expect": "${upper(\"hello\")}"}}
}`)
	if diags.HasErrors() || len(got) != 1 || got[0].Expect != "HELLO" || got[0].Timeout != bake.DefaultTestTimeout {
		t.Errorf("tests %+v, %v", got, diags)
	}
	got, diags = loadTests(t, []string{"app"}, "xbuild.json", `{"test": "x", "target": {"app": {"args": {"V": "${test}"}}}}`)
	if diags.HasErrors() || len(got) != 0 {
		t.Errorf("a global named test: %+v, %v", got, diags)
	}
}

func TestTestsErrors(t *testing.T) {
	_, diags := loadTests(t, []string{"app"}, "xbuild.hcl", `
target "app" {}
test "a" {
  target  = ["app"]
  command = "/app"
  timeout = "-1s"
}
test "b" {
  target  = "app"
  command = ["/app", null]
  env     = { A = 1 }
}
test "c" {
  target  = "app"
  command = [""]
  expect  = "a{2,1}"
}
`)
	var got []string
	for _, d := range xhcl.Sorted(diags) {
		got = append(got, d.Subject.String()+": "+d.Summary+": "+d.Detail)
	}
	want := []string{
		`xbuild.hcl:4,13-20: Invalid value for target: The target of test "a" must be a string.`,
		`xbuild.hcl:5,13-19: Invalid value for command: The command of test "a" must be a list of strings.`,
		`xbuild.hcl:6,13-18: Invalid timeout: The timeout of test "a" must be a positive duration such as "30s" or "5m", not "-1s".`,
		`xbuild.hcl:10,13-27: Invalid value for command: The command of test "b" must be a list of strings.`,
		`xbuild.hcl:15,13-17: Invalid command: The command of test "c" is empty: give the program to run, and its arguments.`,
		`xbuild.hcl:16,13-21: Invalid expect: The expect of test "c" is not a regular expression (Go's RE2 syntax): invalid repeat count.`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}

// A test names one target: a group, or the label of a matrix (a group of
// the targets it generates), is an error that names its targets.
func TestTestsGroupTarget(t *testing.T) {
	_, diags := loadTests(t, []string{"m-1"}, "xbuild.hcl", `
target "m" {
  name   = "m-${v}"
  matrix = { v = ["1", "2"] }
}
group "g" { targets = ["m-1"] }
test "a" {
  target  = "m"
  command = ["/app"]
}
test "b" {
  target  = "g"
  command = ["/app"]
}
`)
	var got []string
	for _, d := range xhcl.Sorted(diags) {
		got = append(got, d.Subject.String()+": "+d.Summary+": "+d.Detail)
	}
	want := []string{
		`xbuild.hcl:8,13-16: Not a target: "m" is a group (m-1, m-2), not a target: a test runs in the images of one target. Write a test block for each of its targets.`,
		`xbuild.hcl:12,13-16: Not a target: "g" is a group (m-1), not a target: a test runs in the images of one target. Write a test block for each of its targets.`,
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("diagnostics (-want +got):\n%s", d)
	}
}
