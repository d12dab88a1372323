package schema_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/schema"
)

func TestBodySchemaDecodesHCL(t *testing.T) {
	src := `
REGISTRY = "example.com"
variable "TAG" {
  default = "latest"
  validation {
    condition     = TAG != ""
    error_message = "TAG is empty."
  }
}
function "tag" {
  params = [name]
  result = "${REGISTRY}/${name}:${TAG}"
}
group "default" {
  targets = ["app"]
}
target "app" {
  tags      = [tag("app")]
  platfroms = ["linux/arm64"]
}
`
	f, diags := hclparse.NewParser().ParseHCL([]byte(src), "x.hcl")
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	content, rest, diags := f.Body.PartialContent(schema.File.BodySchema())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	var types []string
	for _, b := range content.Blocks {
		types = append(types, b.Type+" "+strings.Join(b.Labels, " "))
	}
	if want := []string{"variable TAG", "function tag", "group default", "target app"}; !slices.Equal(types, want) {
		t.Errorf("blocks: got %q, want %q", types, want)
	}
	// hclsyntax's JustAttributes also reports the blocks that
	// PartialContent took ("Blocks are not allowed here."), which buildx
	// filters out; the attributes are returned all the same.
	globals, _ := rest.JustAttributes()
	if len(globals) != 1 || globals["REGISTRY"] == nil {
		t.Errorf("global attributes: %v", globals)
	}

	for _, b := range content.Blocks {
		def := schema.File.Block(b.Type)
		switch b.Type {
		case "variable":
			c, diags := b.Body.Content(def.BodySchema())
			if diags.HasErrors() || len(c.Blocks) != 1 || c.Blocks[0].Type != "validation" {
				t.Errorf("variable: %v %v", c, diags)
			}
			if _, diags := c.Blocks[0].Body.Content(schema.Validation.BodySchema()); diags.HasErrors() {
				t.Error(diags)
			}
		case "target":
			// The decoder uses PartialContent and warns about the rest,
			// with Suggest's help.
			_, _, diags := b.Body.PartialContent(def.BodySchema())
			if diags.HasErrors() {
				t.Error(diags)
			}
			_, diags = b.Body.Content(def.BodySchema())
			if len(diags) != 1 || !strings.Contains(diags[0].Detail, `Did you mean "platforms"?`) {
				t.Errorf("unknown target attribute: %v", diags)
			}
		default:
			if _, diags := b.Body.Content(def.BodySchema()); diags.HasErrors() {
				t.Errorf("%s: %v", b.Type, diags)
			}
		}
	}
}

func TestGroupRequiresTargets(t *testing.T) {
	f, _ := hclparse.NewParser().ParseHCL([]byte(`group "x" {}`), "x.hcl")
	content, diags := f.Body.Content(schema.File.BodySchema())
	if diags.HasErrors() {
		t.Fatal(diags)
	}
	_, diags = content.Blocks[0].Body.Content(schema.Group.BodySchema())
	if len(diags) != 1 || diags[0].Summary != "Missing required argument" ||
		diags[0].Detail != `The argument "targets" is required, but no definition was found.` {
		t.Errorf("got %v; want buildx's missing-targets error", diags)
	}
	for _, name := range []string{"name", "matrix"} {
		if a := schema.Group.Attr(name); a == nil || a.Unsupported != name+" is not supported for groups" {
			t.Errorf("group %s: %+v", name, a)
		}
	}
}

func TestBlockLookups(t *testing.T) {
	if a := schema.Target.Attr("platforms"); a == nil || a.SetKey != "platform" || !a.Overridable {
		t.Errorf("platforms: %+v", a)
	}
	if a := schema.Target.Attr("inherits"); a == nil || a.Overridable || !a.NoPrint {
		t.Errorf("inherits: %+v", a)
	}
	if schema.Target.Attr("platform") != nil || schema.File.Block("targets") != nil {
		t.Error("lookup of an unknown name is not nil")
	}
	bs := schema.Target.BodySchema()
	if len(bs.Attributes) != len(schema.Target.Attrs) || bs.Attributes[0].Name != "name" || len(bs.Blocks) != 0 {
		t.Errorf("target body schema: %+v", bs)
	}
	fs := schema.File.BodySchema()
	want := []hcl.BlockHeaderSchema{
		{Type: "target", LabelNames: []string{"name"}},
		{Type: "group", LabelNames: []string{"name"}},
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "function", LabelNames: []string{"name"}},
		{Type: "test", LabelNames: []string{"name"}},
	}
	if !slices.EqualFunc(fs.Blocks, want, func(a, b hcl.BlockHeaderSchema) bool {
		return a.Type == b.Type && slices.Equal(a.LabelNames, b.LabelNames)
	}) || len(fs.Attributes) != 0 {
		t.Errorf("file body schema: %+v", fs)
	}
}

// TestSuggest: the one suggestion rule (xhcl.Suggest) finds the
// attribute meant by the usual typos of attribute names and --set keys.
func TestSuggest(t *testing.T) {
	attrs := schema.Target.AttrNames()
	for _, tc := range []struct{ name, want string }{
		{"platfroms", "platforms"},
		{"platform", "platforms"},
		{"tag", "tags"},
		{"Tags", "tags"},
		{"cache_from", "cache-from"},
		{"cacheto", "cache-to"},
		{"dockerfile_inline", "dockerfile-inline"},
		{"no_cache_filter", "no-cache-filter"},
		{"extra_hosts", "extra-hosts"},
		{"secrets", "secret"},
		{"outputs", "output"},
		{"entitlement", "entitlements"},
		{"cache", "cache-from"}, // a prefix
		{"annotation-list", ""},
		{"description", "description"},
		{"build-args", ""},
		{"xyz", ""},
		{"", ""},
	} {
		if got := xhcl.Suggest(tc.name, attrs); got != tc.want {
			t.Errorf("Suggest(%q) = %q, want %q", tc.name, got, tc.want)
		}
	}
	if got := xhcl.Suggest("platforms", schema.SetKeys()); got != "platform" {
		t.Errorf("--set platforms: got %q, want platform", got)
	}
	if got := xhcl.Suggest("anything", nil); got != "" {
		t.Errorf("no candidates: got %q", got)
	}
}

func TestTypes(t *testing.T) {
	for _, tc := range []struct {
		attr string
		str  string
		cty  cty.Type
	}{
		{"context", "string", cty.String},
		{"pull", "bool", cty.Bool},
		{"tags", "list(string)", cty.List(cty.String)},
		{"args", "map(string)", cty.Map(cty.String)},
		{"matrix", "map(list(any))", cty.DynamicPseudoType},
		{"output", "list(string|object)", cty.DynamicPseudoType},
		{"resources", "object", schema.Resources.Cty()},
	} {
		a := schema.Target.Attr(tc.attr)
		if got := a.Type.String(); got != tc.str {
			t.Errorf("%s: String() = %q, want %q", tc.attr, got, tc.str)
		}
		if got := a.Type.Cty(); !got.Equals(tc.cty) {
			t.Errorf("%s: Cty() = %#v, want %#v", tc.attr, got, tc.cty)
		}
	}
	res := schema.Resources.Cty()
	if !res.IsObjectType() || !res.AttributeOptional("cpu-shares") || !res.AttributeType("cpu-shares").Equals(cty.Number) {
		t.Errorf("resources: %#v", res)
	}
	if f := schema.OutputEntry.Field("type"); f == nil || !f.Required {
		t.Errorf("output type: %+v", f)
	}
}

// TestJSONFilesDecode checks the structural forms the JSON Schema accepts
// against HCL's own JSON parser: every valid file decodes with the
// definitions' body schemas.
func TestJSONFilesDecode(t *testing.T) {
	valid, _ := filepath.Glob("testdata/valid/*.json")
	printed, _ := filepath.Glob("testdata/print/*.json")
	for _, path := range append(valid, printed...) {
		t.Run(path, func(t *testing.T) {
			f, diags := hclparse.NewParser().ParseJSONFile(path)
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			content, _, diags := f.Body.PartialContent(schema.File.BodySchema())
			if diags.HasErrors() {
				t.Fatal(diags)
			}
			for _, b := range content.Blocks {
				def := schema.File.Block(b.Type)
				decode := b.Body.Content
				if def.Extra == schema.ExtraIgnored {
					decode = func(s *hcl.BodySchema) (*hcl.BodyContent, hcl.Diagnostics) {
						c, _, diags := b.Body.PartialContent(s)
						return c, diags
					}
				}
				c, diags := decode(def.BodySchema())
				if diags.HasErrors() {
					t.Errorf("%s %q: %v", b.Type, b.Labels, diags)
					continue
				}
				checkLiteralValues(t, def, c)
				for _, nested := range c.Blocks {
					if _, diags := nested.Body.Content(def.Block(nested.Type).BodySchema()); diags.HasErrors() {
						t.Errorf("%s %q: %v", b.Type, b.Labels, diags)
					}
				}
			}
		})
	}
}

// checkLiteralValues converts the attribute values that need no
// evaluation context to the attribute's cty type, as the decoder will:
// what the JSON Schema accepts (a number in args, "1" for a bool) must
// convert.
func checkLiteralValues(t *testing.T, def *schema.Block, c *hcl.BodyContent) {
	t.Helper()
	for name, attr := range c.Attributes {
		a := def.Attr(name)
		if a.Type.Cty() == cty.DynamicPseudoType || len(attr.Expr.Variables()) > 0 {
			continue
		}
		// Not nil: that would read JSON strings literally, not as
		// templates.
		v, diags := attr.Expr.Value(&hcl.EvalContext{})
		if diags.HasErrors() {
			continue // a function call
		}
		if _, err := convert.Convert(v, a.Type.Cty()); err != nil {
			t.Errorf("%s: %s = %#v does not convert to %s: %v", attr.Range, name, v, a.Type, err)
		}
	}
}
