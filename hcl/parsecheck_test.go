package hcl

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
)

// TestParseNesting: files that nest deeper than MaxNesting are refused
// with a position before the parser sees them (it would overflow the
// stack); brackets that the parser does not see as nesting do not count.
func TestParseNesting(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + "1" + strings.Repeat(close, n)
	}
	over := MaxNesting + 1
	for _, tc := range []struct {
		name, src string
		want      string // "" when the file parses
	}{
		{"parens.hcl", "x = " + deep("(", ")", 100000), "parens.hcl:1:1005"},
		{"brackets.hcl", "x = " + deep("[", "]", over), "brackets.hcl:1:1005"},
		{"interp.hcl", "x = " + deep(`"${`, `}"`, over), "interp.hcl:1:1505"},
		{"directives.hcl", "x = \"" + strings.Repeat("%{ if true }", over) + strings.Repeat("%{ endif }", over) + "\"", "directives.hcl:1:11985"},
		{"limit.hcl", "x = " + deep("(", ")", MaxNesting), ""},
		{"string.hcl", "x = \"" + strings.Repeat("(", 100000) + "\"", ""},
		{"escaped.hcl", "x = \"" + strings.Repeat("$${", 1000) + "\"", ""},
		{"comment.hcl", "# " + strings.Repeat("[", 100000) + "\n// " + strings.Repeat("{", 100000) + "\n/* " + strings.Repeat("(", 100000) + " */\nx = 1\n", ""},
		{"heredoc.hcl", "x = <<EOT\n" + strings.Repeat("{", 100000) + "\nEOT\n", ""},
		{"deep.json", deep("[", "]", 1000000), "deep.json:1:1001"},
		{"objects.json", `{"x": ` + strings.Repeat(`{"a": `, over) + "1" + strings.Repeat("}", over) + "}", "objects.json:1:6001"},
		{"string.json", `{"x": "` + strings.Repeat("[", 100000) + `\"{"}`, ""},
		{"stdin", deep("[", "]", 1000000), "stdin:1:1001"},
		// Operators nest without brackets: the parser recurses into unary
		// operators and conditionals, and evaluation into the left-deep
		// tree of a chain of binary operators or indexes.
		{"not.hcl", "x = " + strings.Repeat("!", over) + "true", "not.hcl:1:1005"},
		{"neg.hcl", "x = " + strings.Repeat("- ", over) + "1", "neg.hcl:1:2005"},
		{"plus.hcl", "x = " + strings.Repeat("1+", over) + "1", "plus.hcl:1:2006"},
		{"and.hcl", "x = (" + strings.Repeat("true&&", over) + "true)", "and.hcl:1:3005"},
		{"cond.hcl", "x = " + strings.Repeat("true ? ", over) + "1" + strings.Repeat(" : 2", over), "cond.hcl:1:7010"},
		{"else.hcl", "x = " + strings.Repeat("false ? 0 : ", over) + "1", "else.hcl:1:12011"},
		{"index.hcl", "x = [1]" + strings.Repeat("[0]", over), "index.hcl:1:3005"},
		{"splat.hcl", "x = [1]" + strings.Repeat("[*]", over), "splat.hcl:1:3003"},
		{"interp-ops.hcl", "x = \"${" + strings.Repeat("-", over) + "1}\"", "interp-ops.hcl:1:1006"},
		{"ops-limit.hcl", "x = " + strings.Repeat("1+", MaxNesting-1) + "1", ""},
		// A separator ends an expression and its operators.
		{"ops-lines.hcl", "t {\n" + strings.Repeat("t {\n  a = !(1 + 2 - 3 >= 0) ? -1 : x.y[0] # ...\n}\n", 1000) + "}\n", ""},
		{"ops-items.hcl", "x = [" + strings.Repeat("1 + 2 - 3, ", 1000) + "]\n", ""},
		{"ops-object.hcl", "x = {\n" + strings.Repeat("a = 1 + 2 - 3\n", 1000) + "}\n", ""},
		// HCL parses the templates of JSON strings with its native parser.
		{"template.json", `{"x": "${` + deep("(", ")", over) + `}"}`, "template.json:1:7"},
		{"template-ops.json", `{"x": {"y": "a${` + strings.Repeat("!", over) + `true}"}}`, "template-ops.json:1:13"},
		{"template-escaped.json", `{"x": "${\"` + strings.Repeat(`${\"`, over) + `\"}"}`, "template-escaped.json:1:7"},
		{"template-limit.json", `{"x": "${` + strings.Repeat("1+", MaxNesting-1) + `1}"}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := parseCase(t, tc.name, tc.src, tc.want, "Nesting too deep")
			if d != nil && !strings.Contains(d.Detail, fmt.Sprint(MaxNesting)) {
				t.Errorf("detail does not say the limit: %s", d.Detail)
			}
		})
	}
}

// parseCase parses src as name and checks that it parses (want is "") or
// that it fails with one of summaries at want (file:line:col, a prefix),
// which it returns. Native files are also scanned by HCL's lexer.
func parseCase(t *testing.T, name, src, want string, summaries ...string) *hcl.Diagnostic {
	t.Helper()
	if strings.HasSuffix(name, ".hcl") {
		compareScan(t, []byte(src))
	}
	_, _, diags := Parse([]File{{Name: name, Data: []byte(src)}})
	if want == "" {
		if diags.HasErrors() {
			t.Fatalf("unexpected errors: %v", diags)
		}
		return nil
	}
	if len(diags) != 1 || !slices.Contains(summaries, diags[0].Summary) {
		t.Fatalf("diags = %v, want one of %q", diags, summaries)
	}
	r := diags[0].Subject
	if got := fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column); !strings.HasPrefix(got, want) {
		t.Errorf("at %s, want %s", got, want)
	}
	return diags[0]
}

// TestParseJoinCost: strings whose pieces the template parser would join
// for minutes (it copies the run so far for each piece), and numbers it
// would read for minutes, are refused with a position; ordinary heredocs
// and escapes are read.
func TestParseJoinCost(t *testing.T) {
	lines := func(n int) string { return strings.Repeat(`0123456789\n`, n) }
	for _, tc := range []struct {
		name, src string
		want      string
	}{
		{"heredoc.hcl", "x = <<EOT\n" + strings.Repeat("0123456789\n", 60000) + "EOT\n", "heredoc.hcl:"},
		{"dollars.hcl", "x = \"" + strings.Repeat("$${", 100000) + "\"", "dollars.hcl:1:"},
		{"string.json", `{"x": "` + lines(100000) + `"}`, "string.json:1:7"},
		{"dollars.json", `{"x": "` + strings.Repeat(`$\u0024{`, 100000) + `"}`, "dollars.json:1:7"},
		{"script.hcl", "x = <<-EOT\n" + strings.Repeat("  RUN echo building the image in several steps\n", 3000) + "EOT\n", ""},
		{"escapes.hcl", "x = <<-EOT\n" + strings.Repeat("  RUN echo $${HOME} %%{ not a directive }\n", 500) + "EOT\n", ""},
		{"script.json", `{"x": "` + lines(3000) + `"}`, ""},
		{"number.hcl", "x = " + strings.Repeat("7", 100000), "number.hcl:1:5"},
		{"number.json", `{"x": ` + strings.Repeat("7", 100000) + "}", "number.json:1:7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parseCase(t, tc.name, tc.src, tc.want, "Strings too long to parse", "Number too long")
		})
	}
}

// TestParseLines: a native-syntax file of more than MaxLines lines is
// refused before the parser reports each bad line (a million "a b" lines
// were a million errors and 1.2 GB); JSON files stop at their first error.
func TestParseLines(t *testing.T) {
	src := []byte(strings.Repeat("a b\n", MaxLines))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, diags := Parse([]File{{Name: "lines.hcl", Data: src}})
	runtime.ReadMemStats(&after)
	if len(diags) != 1 || diags[0].Summary != "Too many lines" || diags[0].Subject.Start.Line != MaxLines+1 || diags[0].Subject.Start.Byte != len(src) {
		t.Fatalf("diags = %v", diags)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes to refuse %d lines", alloc, MaxLines)
	}
	_, _, diags = Parse([]File{{Name: "lines.hcl", Data: src[:len(src)-4]}})
	if len(diags) != MaxLines-1 {
		t.Errorf("%d diagnostics for %d bad lines", len(diags), MaxLines-1)
	}
	json := []byte("[\n" + strings.Repeat("1,\n", MaxLines) + "1]")
	if _, _, diags := Parse([]File{{Name: "lines.json", Data: json}}); diags.HasErrors() {
		t.Errorf("json: %v", diags)
	}
}

// TestParseJSONItems: a JSON file of more than MaxJSONItems members and
// elements is refused before the parser reports each repeated key (15 MB
// of them were 1.5 million errors, 2.2 GB).
func TestParseJSONItems(t *testing.T) {
	dups := `{"x": {` + strings.Repeat(`"a": 1, `, MaxJSONItems/2) + `"a": 1}}`
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	d := parseCase(t, "dups.json", dups, "dups.json:1:800006", "Too many values")
	runtime.ReadMemStats(&after)
	if !strings.Contains(d.Detail, fmt.Sprint(MaxJSONItems)) {
		t.Errorf("detail does not say the limit: %s", d.Detail)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes to refuse %d members", alloc, MaxJSONItems)
	}
	// Strings do not count.
	parseCase(t, "strings.json", `{"x": "`+strings.Repeat(",:", MaxJSONItems)+`"}`, "")
	parseCase(t, "limit.json", "["+strings.Repeat("1,", MaxJSONItems)+"1]", "")
}

// TestParseNestingMemory: refusing a deeply nested file costs about what
// lexing it does, not the parser's stack (a 1,000,000-deep JSON array took
// 1.5 GB and then overflowed the stack).
func TestParseNestingMemory(t *testing.T) {
	src := []byte(strings.Repeat("[", 1000000) + strings.Repeat("]", 1000000))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, diags := Parse([]File{{Name: "deep.json", Data: src}})
	runtime.ReadMemStats(&after)
	if !diags.HasErrors() {
		t.Fatal("no error")
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("allocated %d bytes to refuse a 2 MB file", alloc)
	}
	if after.StackSys > 64<<20 {
		t.Errorf("stack grew to %d bytes", after.StackSys)
	}
}
