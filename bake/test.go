package bake

import (
	"fmt"
	"maps"
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"time"

	"github.com/containerd/platforms"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/schema"
)

// Test is a smoke test (a `test "NAME" { ... }` block, xbake's own;
// buildx skips it): Command runs in each built platform's image of
// Target, before the target's outputs are published, and must exit with
// status 0 and print what Expect matches (schema.Test documents the
// attributes).
type Test struct {
	Name    string
	Target  string
	Command []string
	// Expect is the regular expression as written; ExpectFor compiles it
	// for a platform.
	Expect string
	// Platforms limits the test to these of the target's platforms, as
	// written (the planner matches them); empty means all.
	Platforms []string
	Env       map[string]string
	Timeout   time.Duration

	// DeclRange is the block's label; PlatformRanges[i] is where
	// Platforms[i] is written, for the planner's errors.
	DeclRange      hcl.Range
	PlatformRanges []hcl.Range
}

// DefaultTestTimeout is how long a test's command may run by default:
// the default that schema.Test documents.
var DefaultTestTimeout = func() time.Duration {
	d, err := time.ParseDuration(schema.Test.Attr("timeout").Default)
	if err != nil {
		panic(err) // schema.Test is data of this program
	}
	return d
}()

// expectVars are what Expect may name of the platform under test.
var expectVars = regexp.MustCompile(`\$TARGET(PLATFORM|OS|ARCH|VARIANT)\b`)

// ExpectFor compiles Expect for platform p: each $TARGETPLATFORM,
// $TARGETOS, $TARGETARCH and $TARGETVARIANT becomes p's value, matched
// literally. It returns nil when the test expects nothing.
func (t *Test) ExpectFor(p ocispec.Platform) (*regexp.Regexp, error) {
	if t.Expect == "" {
		return nil, nil
	}
	src := expectVars.ReplaceAllStringFunc(t.Expect, func(v string) string {
		switch v {
		case "$TARGETPLATFORM":
			v = platforms.Format(p)
		case "$TARGETOS":
			v = p.OS
		case "$TARGETARCH":
			v = p.Architecture
		default:
			v = p.Variant
		}
		return regexp.QuoteMeta(v)
	})
	return regexp.Compile(src)
}

// testDecl is a test as declared: the attributes of every block of its
// name, later ones replacing earlier ones (override files change one
// attribute at a time, as they do for targets).
type testDecl struct {
	name  string
	rng   hcl.Range
	attrs map[string]*hcl.Attribute
}

const testBlockType = "test"

// testBlocks are the test blocks of files. In a JSON file, "test" is a
// block type only when it holds objects; otherwise it is the global value
// buildx reads it as.
func testBlocks(files []*hcl.File) []*hcl.Block {
	var out []*hcl.Block
	for _, f := range files {
		if sb, ok := f.Body.(*hclsyntax.Body); ok {
			for _, b := range sb.Blocks {
				if b.Type == testBlockType {
					out = append(out, b.AsHCLBlock())
				}
			}
			continue
		}
		content, _, d := f.Body.PartialContent(&hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{{Type: testBlockType, LabelNames: []string{"name"}}}})
		if !d.HasErrors() {
			out = append(out, content.Blocks...)
		}
	}
	return out
}

// declareTests gathers the test blocks by name, in declaration order.
func (c *Config) declareTests() ([]*testDecl, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var out []*testDecl
	byName := map[string]*testDecl{}
	for _, b := range c.testBlocks {
		if len(b.Labels) != 1 {
			rng := b.TypeRange
			diags = append(diags, xhcl.Errorf(&rng, "Invalid test block",
				`A test block has one label, its name: test "NAME" { target = "...", command = [...] }.`))
			continue
		}
		name := b.Labels[0]
		if !namePattern.MatchString(name) {
			diags = append(diags, invalidName(name, b.LabelRanges[0]))
			continue
		}
		attrs, d := b.Body.JustAttributes()
		diags = append(diags, d...)
		td := byName[name]
		if td == nil {
			td = &testDecl{name: name, rng: b.LabelRanges[0], attrs: map[string]*hcl.Attribute{}}
			byName[name] = td
			out = append(out, td)
		}
		for _, k := range slices.Sorted(maps.Keys(attrs)) {
			a := attrs[k]
			if schema.Test.Attr(a.Name) == nil {
				detail := fmt.Sprintf("Test blocks have no attribute %q.", a.Name)
				if s := xhcl.Suggest(a.Name, schema.Test.AttrNames()); s != "" {
					detail += fmt.Sprintf(" Did you mean %q?", s)
				} else {
					detail += " They have " + strings.Join(schema.Test.AttrNames(), ", ") + "."
				}
				rng := a.NameRange
				diags = append(diags, xhcl.Errorf(&rng, "Unsupported test attribute", "%s", detail))
				continue
			}
			td.attrs[a.Name] = a
		}
	}
	return out, diags
}

// Tests decodes the test blocks whose target def builds (one it only
// links to is not tested), in declaration order, and checks every test
// block: a missing or unknown target, a missing or empty command, an
// expect that is no regular expression, a timeout that is no duration and
// an unknown attribute are errors at the attribute. Loading reads test
// blocks but never decodes them: --print and --list ignore them, as
// buildx does.
func (c *Config) Tests(def *Definition) ([]*Test, hcl.Diagnostics) {
	var out []*Test
	decls, diags := c.declareTests()
	for _, td := range decls {
		t, d := c.decodeTest(td)
		diags = append(diags, d...)
		if t == nil || d.HasErrors() {
			continue
		}
		if i := slices.IndexFunc(def.Targets, func(x *Target) bool { return x.Name == t.Target }); i >= 0 && !def.Targets[i].Linked {
			out = append(out, t)
		}
	}
	return out, diags
}

func (c *Config) decodeTest(td *testDecl) (*Test, hcl.Diagnostics) {
	t := &Test{Name: td.name, DeclRange: td.rng, Timeout: DefaultTestTimeout}
	var diags hcl.Diagnostics
	for _, name := range []string{"target", "command"} {
		if td.attrs[name] == nil {
			rng := td.rng
			diags = append(diags, xhcl.Errorf(&rng, "Missing "+name,
				"Test %q has no %s: write %s.", td.name, name, map[string]string{
					"target":  `target = "NAME", the target whose images it runs in`,
					"command": `command = ["/app", "--version"], the command to run in each image of the target`}[name]))
		}
	}
	eval := func(name string, typ cty.Type) (cty.Value, *hcl.Attribute, bool) {
		a := td.attrs[name]
		if a == nil {
			return cty.NilVal, nil, false
		}
		v, d := c.ev.Eval(a.Expr, nil)
		diags = append(diags, d...)
		if d.HasErrors() || v.IsNull() {
			return cty.NilVal, a, false
		}
		cv, err := convert.Convert(v, typ)
		if err != nil || !cv.IsWhollyKnown() || hasNullElement(cv) {
			rng := a.Expr.Range()
			diags = append(diags, xhcl.Errorf(&rng, "Invalid value for "+name,
				"The %s of test %q must be %s.", name, td.name, map[string]string{
					"target": "a string", "command": "a list of strings", "expect": "a string",
					"platforms": "a list of strings", "env": "a map of strings", "timeout": "a string"}[name]))
			return cty.NilVal, a, false
		}
		return cv, a, true
	}
	attrErr := func(a *hcl.Attribute, summary, format string, args ...any) {
		rng := a.Expr.Range()
		diags = append(diags, xhcl.Errorf(&rng, summary, format, args...))
	}
	if v, a, ok := eval("target", cty.String); ok {
		t.Target = v.AsString()
		switch g := c.Group(t.Target); {
		case c.hasTarget(t.Target):
		case g != nil:
			// A matrix label is a group of the targets it generates.
			attrErr(a, "Not a target", "%q is a group (%s), not a target: a test runs in the images of one target. Write a test block for each of its targets.",
				t.Target, strings.Join(g.Targets, ", "))
		default:
			diags = append(diags, c.unknownTarget(t.Target, a.Expr.Range()))
		}
	}
	if v, a, ok := eval("command", cty.List(cty.String)); ok {
		for _, e := range v.AsValueSlice() {
			t.Command = append(t.Command, e.AsString())
		}
		if len(t.Command) == 0 || t.Command[0] == "" {
			attrErr(a, "Invalid command", "The command of test %q is empty: give the program to run, and its arguments.", td.name)
		}
	}
	if v, a, ok := eval("expect", cty.String); ok {
		t.Expect = v.AsString()
		if _, err := t.ExpectFor(ocispec.Platform{OS: "linux", Architecture: "amd64"}); err != nil {
			// The code alone: the expression in the error has the
			// platform filled in.
			msg := err.Error()
			if se, ok := err.(*syntax.Error); ok {
				msg = se.Code.String()
			}
			attrErr(a, "Invalid expect", "The expect of test %q is not a regular expression (Go's RE2 syntax): %s.", td.name, msg)
		}
	}
	if v, a, ok := eval("platforms", cty.List(cty.String)); ok {
		exprs, d := hcl.ExprList(a.Expr)
		for i, e := range v.AsValueSlice() {
			t.Platforms = append(t.Platforms, e.AsString())
			rng := a.Expr.Range()
			if !d.HasErrors() && i < len(exprs) {
				rng = exprs[i].Range()
			}
			t.PlatformRanges = append(t.PlatformRanges, rng)
		}
	}
	if v, _, ok := eval("env", cty.Map(cty.String)); ok {
		t.Env = map[string]string{}
		for k, e := range v.AsValueMap() {
			t.Env[k] = e.AsString()
		}
	}
	if v, a, ok := eval("timeout", cty.String); ok {
		d, err := time.ParseDuration(v.AsString())
		if err != nil || d <= 0 {
			attrErr(a, "Invalid timeout", "The timeout of test %q must be a positive duration such as \"30s\" or \"5m\", not %q.", td.name, v.AsString())
		}
		t.Timeout = d
	}
	if diags.HasErrors() {
		return nil, diags
	}
	return t, diags
}

// hasNullElement reports whether a list or map holds a null.
func hasNullElement(v cty.Value) bool {
	if !v.Type().IsListType() && !v.Type().IsMapType() {
		return false
	}
	for it := v.ElementIterator(); it.Next(); {
		if _, e := it.Element(); e.IsNull() {
			return true
		}
	}
	return false
}
