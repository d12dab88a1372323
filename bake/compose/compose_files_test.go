package compose_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/bake/compose"
	xhcl "github.com/xbake/xbake/hcl"
)

func TestIsComposeFile(t *testing.T) {
	composeSrc := []byte("services:\n  app:\n    image: nginx\n")
	hclSrc := []byte("target \"default\" {\n  dockerfile = \"test\"\n}\n")
	jsonSrc := []byte(`{"target": {"default": {"dockerfile": "test"}}}`)
	tests := []struct {
		name string
		data []byte
		want bool
	}{
		{"compose.yaml", composeSrc, true},
		{"docker-compose.YML", composeSrc, true},
		{"broken.yml", []byte("services: ["), true}, // by name: the error comes from loading
		{"docker-bake.hcl", composeSrc, false},
		{"docker-bake.json", composeSrc, false},
		{"Bakefile", composeSrc, true},
		{xhcl.StdinName, composeSrc, true},
		{"Bakefile", []byte("services:\n  app:\n    build:\n      context: .\n      secrets: [undefined]\n"), true},
		{"secrets-only", []byte("secrets:\n  s:\n    file: ./s\n"), true},
		{"Bakefile", hclSrc, false},
		{"Bakefile", jsonSrc, false},
		{xhcl.StdinName, hclSrc, false},
		{"Bakefile", []byte(""), false},
		{"Bakefile", []byte("services:\n  app:\n    ports: [80]\n    build:\n      shm_size: [1]\n"), false},
	}
	for _, tt := range tests {
		if got := compose.IsFile(tt.name, tt.data); got != tt.want {
			t.Errorf("IsFile(%q, %q) = %v, want %v", tt.name, tt.data, got, tt.want)
		}
	}
}

// Compose targets are the first layer of the targets of the same name:
// HCL overrides them whatever the file order. An HCL group replaces the
// Compose group of the same name (buildx decodes HCL blocks into the
// Compose config, and groups have no Merge), so db is not in "default".
func TestComposeHCLOverride(t *testing.T) {
	cc, diags := compose.Load([]xhcl.File{{Name: "compose.yaml", Data: []byte(`
services:
  app:
    image: me/app:compose
    build:
      context: ./app
      dockerfile: app.Dockerfile
      args:
        FROM_COMPOSE: "1"
        SHARED: compose
      platforms: [linux/amd64]
      x-bake:
        cache-from: [me/app:cache]
  db:
    build: ./db
`)}}, compose.Options{Dir: t.TempDir()})
	if len(diags) > 0 {
		t.Fatal(diags)
	}
	files, _, diags := xhcl.Parse([]xhcl.File{{Name: "docker-bake.hcl", Data: []byte(`
group "default" {
  targets = ["app", "extra"]
}
target "app" {
  tags      = ["me/app:hcl"]
  args      = { SHARED = "hcl", FROM_HCL = "1" }
  platforms = ["linux/arm64"]
}
target "extra" {}
`)}})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	cfg, diags := bake.Load(files, bake.Options{Compose: cc})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	def, diags := cfg.Resolve(bake.Request{})
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var out bytes.Buffer
	if err := def.WritePrint(&out); err != nil {
		t.Fatal(err)
	}
	want := `{
  "group": {
    "default": {
      "targets": [
        "app",
        "extra"
      ]
    }
  },
  "target": {
    "app": {
      "context": "app",
      "dockerfile": "app.Dockerfile",
      "args": {
        "FROM_COMPOSE": "1",
        "FROM_HCL": "1",
        "SHARED": "hcl"
      },
      "tags": [
        "me/app:hcl"
      ],
      "cache-from": [
        {
          "ref": "me/app:cache",
          "type": "registry"
        }
      ],
      "platforms": [
        "linux/arm64"
      ]
    },
    "extra": {
      "context": ".",
      "dockerfile": "Dockerfile"
    }
  }
}
`
	if d := cmp.Diff(want, out.String()); d != "" {
		t.Errorf("--print (-want +got):\n%s", d)
	}
}

// FuzzLoadCompose checks that no Compose input panics.
func FuzzLoadCompose(f *testing.F) {
	for _, seed := range []string{
		"services:\n  app:\n    build: .\n",
		"services:\n  app:\n    build:\n      context: .\n      x-bake:\n        tags: a b\n        contexts: {x: service:y}\n",
		"x: &a\n  build: .\nservices:\n  app:\n    <<: *a\n",
		"services:\n  a:\n    build:\n      ulimits: {nofile: 1}\n      secrets: [s]\nsecrets:\n  s: {external: true}\n",
		"", "{}", "[1]", "services: [",
		"x: &a\n  <<: * ", "x: &a\n  <<: *a\n",
	} {
		f.Add([]byte(seed))
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		compose.IsFile("Bakefile", data)
		compose.Load([]xhcl.File{{Name: "compose.yaml", Data: data}}, compose.Options{Dir: dir})
	})
}
