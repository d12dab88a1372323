package hcl

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// functionsDocPath is docs/functions.md, relative to this package.
var functionsDocPath = filepath.Join("..", "docs", "functions.md")

// TestFunctionsDoc keeps docs/functions.md equal to what the function table
// says; XBAKE_UPDATE=1 rewrites it.
func TestFunctionsDoc(t *testing.T) {
	want := renderFunctionsDoc()
	if os.Getenv("XBAKE_UPDATE") == "1" {
		if err := os.WriteFile(functionsDocPath, want, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	got, err := os.ReadFile(functionsDocPath)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("docs/functions.md is stale or missing; run XBAKE_UPDATE=1 go test ./hcl -run TestFunctionsDoc")
	}
}

func renderFunctionsDoc() []byte {
	var b bytes.Buffer
	b.WriteString(`<!-- Generated from the table in hcl/functions.go: XBAKE_UPDATE=1 go test ./hcl -run TestFunctionsDoc -->

# Built-in functions

Bake files can call these functions in any expression. They are the built-in
functions of ` + "`docker buildx bake`" + `, with the same names, arguments and
results, so existing docker-bake.hcl files evaluate the same. An argument
written ` + "`name...`" + ` may be repeated. Functions marked *impure* can return a
different result on every call.

| Name | Description |
| --- | --- |
`)
	for _, fn := range builtins {
		desc := fn.description()
		if fn.deprecated != "" {
			desc = fmt.Sprintf("**Deprecated:** use `%s`. %s", fn.deprecated, desc)
		}
		if fn.impure {
			desc += " *Impure.*"
		}
		fmt.Fprintf(&b, "| `%s` | %s |\n", signature(fn), desc)
	}
	return b.Bytes()
}

// signature renders a call such as join(separator, lists...).
func signature(b builtin) string {
	var params []string
	for _, p := range b.fn.Params() {
		params = append(params, p.Name)
	}
	if vp := b.fn.VarParam(); vp != nil {
		params = append(params, vp.Name+"...")
	}
	return b.name + "(" + strings.Join(params, ", ") + ")"
}
