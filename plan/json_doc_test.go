package plan

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

// Every key of the --plan JSON is named in the README's table, which
// scripts rely on.
func TestJSONKeysDocumented(t *testing.T) {
	data, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	start := strings.Index(readme, "The JSON of `--plan`")
	if start < 0 {
		t.Fatal("README has no section on the --plan JSON")
	}
	rest := readme[start:]
	rest = rest[strings.Index(rest, "\n|"):]
	table := rest[:strings.Index(rest, "\n\n")]
	for _, v := range []any{jsonPlan{}, jsonBuilder{}, BuilderNode{}, jsonNode{}, jsonBase{}, jsonRun{}, jsonLink{}} {
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			f := typ.Field(i)
			key, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous || key == "" {
				continue
			}
			if !strings.Contains(table, "`"+key+"`") {
				t.Errorf("%s.%s: the README's --plan table does not name `%s`", typ.Name(), f.Name, key)
			}
		}
	}
}
