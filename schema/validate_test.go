package schema_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/schema"
)

// compile compiles a generated schema; the compiler also checks it
// against the draft 2020-12 meta-schema.
func compile(t *testing.T, name string, gen func() ([]byte, error)) *jsonschema.Schema {
	t.Helper()
	data, err := gen()
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(name, doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile(name)
	if err != nil {
		t.Fatalf("%s does not compile: %v", name, err)
	}
	return sch
}

func readInstance(t *testing.T, path string) any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return v
}

// errorLocations returns the JSON pointers of the values that failed,
// from the leaves of the error tree. A bad property name is reported as
// "propertyName:<name>": the validator (v6.0.3) does not copy the
// location of a propertyNames error, so a sibling can overwrite it.
func errorLocations(err error) []string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var locs []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if k, ok := e.ErrorKind.(*kind.PropertyNames); ok {
			locs = append(locs, "propertyName:"+k.Property)
			return
		}
		if len(e.Causes) == 0 {
			locs = append(locs, "/"+strings.Join(e.InstanceLocation, "/"))
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return locs
}

func TestValidBakeFiles(t *testing.T) {
	sch := compile(t, "xbake.schema.json", schema.JSONSchema)
	files, _ := filepath.Glob("testdata/valid/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata/valid/*.json")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			if err := sch.Validate(readInstance(t, f)); err != nil {
				t.Errorf("%s: %v", f, err)
			}
		})
	}
}

// TestEveryAttributeIsExercised keeps every-attribute.json honest: it
// sets each target attribute, so the valid-file test covers them all.
func TestEveryAttributeIsExercised(t *testing.T) {
	data, err := os.ReadFile("testdata/valid/every-attribute.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Target map[string]map[string]json.RawMessage `json:"target"`
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	for _, name := range schema.Target.AttrNames() {
		if _, ok := file.Target["app"][name]; !ok {
			t.Errorf("every-attribute.json: target app does not set %q", name)
		}
	}
}

var wantAt = regexp.MustCompile(`^want error at (\S+?):? `)

// TestInvalidBakeFiles checks that each file fails where its top-level
// "//" comment (which HCL JSON ignores) says: "want error at <pointer>: why".
func TestInvalidBakeFiles(t *testing.T) {
	sch := compile(t, "xbake.schema.json", schema.JSONSchema)
	files, _ := filepath.Glob("testdata/invalid/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata/invalid/*.json")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			inst := readInstance(t, f)
			comment, _ := inst.(map[string]any)["//"].(string)
			m := wantAt.FindStringSubmatch(comment)
			if m == nil {
				t.Fatalf(`%s: the top-level "//" must say "want error at <pointer>: <why>"`, f)
			}
			err := sch.Validate(inst)
			if err == nil {
				t.Fatalf("%s validates; want an error at %s", f, m[1])
			}
			if locs := errorLocations(err); !slices.Contains(locs, m[1]) {
				t.Errorf("%s: errors at %q, want one at %s:\n%v", f, locs, m[1], err)
			}
		})
	}
}

// TestPrintOutputs validates --print outputs against the --print schema,
// and against the bake schema too, since buildx reads them back as bake
// files.
func TestPrintOutputs(t *testing.T) {
	printSch := compile(t, "print.schema.json", schema.PrintSchema)
	bakeSch := compile(t, "xbake.schema.json", schema.JSONSchema)
	files, _ := filepath.Glob("testdata/print/*.json")
	if len(files) == 0 {
		t.Fatal("no testdata/print/*.json")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			inst := readInstance(t, f)
			if err := printSch.Validate(inst); err != nil {
				t.Errorf("print schema: %v", err)
			}
			if err := bakeSch.Validate(inst); err != nil {
				t.Errorf("bake schema: %v", err)
			}
		})
	}
}

func TestInvalidPrintOutputs(t *testing.T) {
	sch := compile(t, "print.schema.json", schema.PrintSchema)
	for _, tc := range []struct {
		name, doc, at string
	}{
		{"no target map", `{"group": {}}`, "/"},
		{"inherits is never printed", `{"target": {"a": {"context": ".", "dockerfile": "Dockerfile", "inherits": ["b"]}}}`, "/target/a"},
		{"context is always printed", `{"target": {"a": {"dockerfile": "Dockerfile"}}}`, "/target/a"},
		{"output entries are objects", `{"target": {"a": {"context": ".", "dockerfile": "Dockerfile", "output": ["type=local,dest=out"]}}}`, "/target/a/output/0"},
		{"args have no nulls", `{"target": {"a": {"context": ".", "dockerfile": "Dockerfile", "args": {"X": null}}}}`, "/target/a/args/X"},
		{"pull is a boolean", `{"target": {"a": {"context": ".", "dockerfile": "Dockerfile", "pull": "true"}}}`, "/target/a/pull"},
		{"secret has id, src and env", `{"target": {"a": {"context": ".", "dockerfile": "Dockerfile", "secret": [{"id": "x", "type": "env"}]}}}`, "/target/a/secret/0"},
		{"group needs targets", `{"group": {"default": {}}, "target": {}}`, "/group/default"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inst, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.doc))
			if err != nil {
				t.Fatal(err)
			}
			err = sch.Validate(inst)
			if err == nil {
				t.Fatalf("validates; want an error at %s", tc.at)
			}
			if locs := errorLocations(err); !slices.Contains(locs, tc.at) {
				t.Errorf("errors at %q, want one at %s:\n%v", locs, tc.at, err)
			}
		})
	}
}

// TestExamples validates every JSON bake file under examples/, so the
// documented examples and the schema cannot disagree.
func TestExamples(t *testing.T) {
	sch := compile(t, "xbake.schema.json", schema.JSONSchema)
	root := filepath.Join("..", "examples")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" {
			return err
		}
		t.Run(filepath.ToSlash(path), func(t *testing.T) {
			if err := sch.Validate(readInstance(t, path)); err != nil {
				t.Errorf("%s: %v", path, err)
			}
		})
		return nil
	})
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}

// TestExamplesPrint resolves every example bake file (HCL or JSON) and
// validates its --print output against both schemas: what xbake prints for
// the documented examples is what the schemas describe, and can be read
// back as a JSON bake file.
func TestExamplesPrint(t *testing.T) {
	printSch := compile(t, "print.schema.json", schema.PrintSchema)
	bakeSch := compile(t, "xbake.schema.json", schema.JSONSchema)
	names, _ := filepath.Glob(filepath.Join("..", "examples", "*", "xbuild.*"))
	if len(names) == 0 {
		t.Fatal("no examples")
	}
	for _, name := range names {
		t.Run(filepath.ToSlash(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			files, _, diags := xhcl.Parse([]xhcl.File{{Name: name, Data: src}})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			cfg, diags := bake.Load(files, bake.Options{})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			def, diags := cfg.Resolve(bake.Request{Targets: append(cfg.GroupNames(), cfg.TargetNames()...)})
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			var out bytes.Buffer
			if err := def.WritePrint(&out); err != nil {
				t.Fatal(err)
			}
			inst, err := jsonschema.UnmarshalJSON(&out)
			if err != nil {
				t.Fatal(err)
			}
			if err := printSch.Validate(inst); err != nil {
				t.Errorf("print schema: %v", err)
			}
			if err := bakeSch.Validate(inst); err != nil {
				t.Errorf("bake schema: %v", err)
			}
		})
	}
}
