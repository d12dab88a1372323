package hcl

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	hcljson "github.com/hashicorp/hcl/v2/json"
	"github.com/zclconf/go-cty/cty"
)

// An HCL JSON expression parses its strings as templates each time it is
// evaluated, into trees that hookBudget cannot reach. Eval evaluates the
// native-syntax tree of the same meaning instead, built once per
// expression: arrays are tuples, objects are objects whose keys are
// templates, strings are templates (parsed as hcljson parses them), and
// numbers, booleans and null are literals.

// native returns the tree Eval evaluates for expr: expr itself for native
// syntax (hooked when the file was loaded), the converted tree for JSON.
func (e *Evaluator) native(expr hcl.Expression) hcl.Expression {
	if !hcljson.IsJSONExpression(expr) {
		return expr
	}
	if n, ok := e.fromJSON[expr]; ok {
		return n
	}
	n := jsonToNative(expr)
	hookBudget(n)
	e.fromJSON[expr] = n
	return n
}

func jsonToNative(expr hcl.Expression) hclsyntax.Expression {
	rng := expr.Range()
	if l, ok := expr.(interface{ ExprList() []hcl.Expression }); ok {
		if elems := l.ExprList(); elems != nil {
			tuple := &hclsyntax.TupleConsExpr{SrcRange: rng, OpenRange: expr.StartRange()}
			for _, x := range elems {
				tuple.Exprs = append(tuple.Exprs, jsonToNative(x))
			}
			return tuple
		}
	}
	if m, ok := expr.(interface{ ExprMap() []hcl.KeyValuePair }); ok {
		if pairs := m.ExprMap(); pairs != nil {
			return jsonObject(pairs, rng, expr.StartRange())
		}
	}
	v, diags := expr.Value(nil) // a string is returned verbatim
	if diags.HasErrors() || v.Type() != cty.String || v.IsNull() {
		return &hclsyntax.LiteralValueExpr{Val: v, SrcRange: rng}
	}
	// As hcljson does: the template starts after the opening quote.
	start := hcl.Pos{Line: rng.Start.Line, Column: rng.Start.Column + 1, Byte: rng.Start.Byte + 1}
	tmpl, diags := hclsyntax.ParseTemplate([]byte(v.AsString()), rng.Filename, start)
	if diags.HasErrors() {
		return failing(rng, diags)
	}
	return tmpl
}

// jsonObject converts an object. hcljson reports a key given twice, where
// an object expression would keep the last value; a literal key given
// twice fails the same way here.
func jsonObject(pairs []hcl.KeyValuePair, rng, open hcl.Range) hclsyntax.Expression {
	obj := &hclsyntax.ObjectConsExpr{SrcRange: rng, OpenRange: open}
	seen := map[string]hcl.Range{}
	var dups hcl.Diagnostics
	for _, p := range pairs {
		key := jsonToNative(p.Key)
		if name, d := key.Value(nil); !d.HasErrors() && name.Type() == cty.String && name.IsKnown() && !name.IsNull() {
			if prev, dup := seen[name.AsString()]; dup {
				dups = append(dups, &hcl.Diagnostic{
					Severity: hcl.DiagError,
					Summary:  "Duplicate object attribute",
					Detail:   fmt.Sprintf("An attribute named %q was already defined at %s.", name.AsString(), prev),
					Subject:  p.Key.Range().Ptr(),
				})
				continue
			}
			seen[name.AsString()] = p.Key.Range()
		}
		obj.Items = append(obj.Items, hclsyntax.ObjectConsItem{
			KeyExpr:   &hclsyntax.ObjectConsKeyExpr{Wrapped: key, ForceNonLiteral: true},
			ValueExpr: jsonToNative(p.Value),
		})
	}
	if len(dups) > 0 {
		return failing(rng, dups)
	}
	return obj
}

// failingExpr is an expression that only reports diags, for a JSON string
// that is not a valid template.
type failingExpr struct {
	*hclsyntax.LiteralValueExpr
	diags hcl.Diagnostics
}

func failing(rng hcl.Range, diags hcl.Diagnostics) hclsyntax.Expression {
	return &failingExpr{LiteralValueExpr: &hclsyntax.LiteralValueExpr{Val: cty.DynamicVal, SrcRange: rng}, diags: diags}
}

func (f *failingExpr) Value(*hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	return cty.DynamicVal, f.diags
}
