package compose_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake/compose"
)

func TestLoadComposeErrors(t *testing.T) {
	tests := []struct {
		name    string
		srcs    []string
		summary string
		subject string // file:line,col-col
		detail  string // a substring
	}{
		{name: "empty file", srcs: []string{""}, summary: "Empty Compose file", subject: "compose.yaml:1,1-1", detail: "empty compose file"},
		{name: "comments only", srcs: []string{"# nothing\n"}, summary: "Empty Compose file", subject: "compose.yaml:1,1-1"},
		{name: "no services nor secrets", srcs: []string{"version: \"3.8\"\nvolumes:\n  data: {}\n"}, summary: "Empty Compose file"},
		{
			name:    "external secret",
			srcs:    []string{"services:\n  app:\n    build:\n      context: .\n      secrets: [token]\nsecrets:\n  token:\n    external: true\n"},
			summary: "Unsupported external secret", subject: "compose.yaml:8,5-13", detail: `secret "token"`,
		},
		{
			name:    "undefined secret",
			srcs:    []string{"services:\n  app:\n    build:\n      secrets: [token]\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:2,3-6", detail: "undefined build secret token",
		},
		{
			name:    "invalid service name",
			srcs:    []string{"services:\n  web app:\n    build: .\n"},
			summary: "Invalid service name", subject: "compose.yaml:2,3-10", detail: "[a-zA-Z0-9_-]+",
		},
		{
			name:    "YAML syntax",
			srcs:    []string{"services:\n  app:\n    build: .\n  b: [\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:4,1-2", detail: "Fix the YAML syntax",
		},
		{
			name:    "schema: wrong type",
			srcs:    []string{"services:\n  app:\n    build:\n      context: .\n      shm_size: [1]\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:5,7-15", detail: "services.app.build.shm_size must be",
		},
		{
			name:    "schema: unknown build key",
			srcs:    []string{"services:\n  app:\n    build:\n      contxt: .\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:4,7-13", detail: "contxt",
		},
		{
			name:    "service without build nor image",
			srcs:    []string{"services:\n  app:\n    environment: [A=1]\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:2,3-6", detail: "neither an image nor a build context",
		},
		{
			name:    "required variable",
			srcs:    []string{"services:\n  app:\n    build:\n      args:\n        X: ${REQ:?set REQ}\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:5,9-10", detail: "required variable REQ is missing a value: set REQ",
		},
		{
			name:    "invalid ulimit",
			srcs:    []string{"services:\n  app:\n    build:\n      ulimits:\n        nofile:\n          soft: 2048\n          hard: 1024\n"},
			summary: "Invalid ulimit", subject: "compose.yaml:5,9-15", detail: "soft limit",
		},
		{
			name:    "invalid cache entry",
			srcs:    []string{"services:\n  app:\n    build:\n      cache_from: [\"ref=x\"]\n"},
			summary: "Invalid cache-from", subject: "compose.yaml:4,20-27", detail: "type is required",
		},
		{
			name:    "x-bake not a mapping",
			srcs:    []string{"services:\n  app:\n    build:\n      x-bake: [tags]\n"},
			summary: "Invalid x-bake", subject: "compose.yaml:4,7-13",
		},
		{
			name:    "x-bake string boolean",
			srcs:    []string{"services:\n  app:\n    build:\n      x-bake:\n        pull: \"true\"\n"},
			summary: "Invalid x-bake pull", subject: "compose.yaml:5,9-13", detail: "must be true or false",
		},
		{
			name:    "x-bake bad output",
			srcs:    []string{"services:\n  app:\n    build:\n      x-bake:\n        output: [\"type=,dest=out\"]\n"},
			summary: "Invalid x-bake output", subject: "compose.yaml:5,9-15", detail: "type is required",
		},
		{
			name:    "x-bake bad secret",
			srcs:    []string{"services:\n  app:\n    build:\n      x-bake:\n        secret: id=x,foo=bar\n"},
			summary: "Invalid x-bake secret", subject: "compose.yaml:5,9-15", detail: "foo",
		},
		{
			name:    "missing env_file",
			srcs:    []string{"services:\n  app:\n    build: .\n    env_file: missing.env\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:4,5-13", detail: "missing.env",
		},
		{
			name:    "YAML alias cycle through a merge key",
			srcs:    []string{"x: &a\n  <<: *a\nservices:\n  app:\n    build: .\n"},
			summary: "Invalid Compose file", subject: "compose.yaml:2,7-9", detail: "alias",
		},
		{
			name: "error in the second file",
			srcs: []string{"services:\n  app:\n    build: .\n",
				"services:\n  app:\n    build:\n      secrets: [nope]\n"},
			summary: "Invalid Compose file", subject: "compose2.yaml:2,3-6", detail: "undefined build secret nope",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, diags := loadCompose(t, compose.Options{}, tt.srcs...)
			if !diags.HasErrors() {
				t.Fatalf("no error, diagnostics %v", diags)
			}
			var d *hcl.Diagnostic
			for _, x := range diags {
				if x.Severity == hcl.DiagError {
					d = x
					break
				}
			}
			if d.Summary != tt.summary {
				t.Errorf("summary = %q, want %q (detail: %s)", d.Summary, tt.summary, d.Detail)
			}
			if d.Subject == nil {
				t.Fatalf("no subject: %s: %s", d.Summary, d.Detail)
			}
			if tt.subject != "" && d.Subject.String() != tt.subject {
				t.Errorf("subject = %s, want %s", d.Subject, tt.subject)
			}
			if !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("detail %q does not contain %q", d.Detail, tt.detail)
			}
			if !strings.HasSuffix(d.Detail, ".") {
				t.Errorf("detail does not end a sentence: %q", d.Detail)
			}
		})
	}
}
