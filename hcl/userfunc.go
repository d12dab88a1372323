package hcl

import (
	"fmt"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// userFunc is a `function` block.
type userFunc struct {
	name      string
	params    []string
	variadic  string
	result    hcl.Expression
	nameRange hcl.Range
}

var functionSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{
		{Name: "params", Required: true},
		{Name: "variadic_params"},
		{Name: "result", Required: true},
	},
}

func decodeFunction(b *hcl.Block) (*userFunc, hcl.Diagnostics) {
	fn := &userFunc{name: b.Labels[0], nameRange: b.LabelRanges[0]}
	content, diags := b.Body.Content(functionSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	params := content.Attributes["params"]
	exprs, d := hcl.ExprList(params.Expr)
	if d.HasErrors() {
		return nil, append(diags, Errorf(params.Expr.Range().Ptr(), "Invalid params",
			"The params of function %q must be a list of parameter names, such as [a, b].", fn.name))
	}
	for _, pe := range exprs {
		p := hcl.ExprAsKeyword(pe)
		if p == "" {
			diags = append(diags, Errorf(pe.Range().Ptr(), "Invalid parameter name",
				"Each parameter name must be an identifier, written without quotes."))
			continue
		}
		fn.params = append(fn.params, p)
	}
	if a, ok := content.Attributes["variadic_params"]; ok {
		fn.variadic = hcl.ExprAsKeyword(a.Expr)
		if fn.variadic == "" {
			diags = append(diags, Errorf(a.Expr.Range().Ptr(), "Invalid parameter name",
				"variadic_params must be one identifier, written without quotes."))
		}
	}
	fn.result = content.Attributes["result"].Expr
	if diags.HasErrors() {
		return nil, diags
	}
	return fn, diags
}

// addUserFuncs adds the user functions to the function table. A built-in
// of the same name wins, as in buildx.
func (e *Evaluator) addUserFuncs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range sortedKeys(e.userFuncs) {
		fn := e.userFuncs[name]
		if _, ok := e.funcs[name]; ok {
			diags = append(diags, Warnf(&fn.nameRange, "Function shadows a built-in",
				"A built-in function named %q exists and is used instead of this one. Rename the function.", name))
			continue
		}
		e.funcs[name] = e.makeFunction(fn)
	}
	return diags
}

func (e *Evaluator) makeFunction(fn *userFunc) function.Function {
	spec := &function.Spec{
		Type: function.StaticReturnType(cty.DynamicPseudoType),
	}
	for _, p := range fn.params {
		spec.Params = append(spec.Params, function.Parameter{
			Name: p, Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true, AllowUnknown: true,
		})
	}
	if fn.variadic != "" {
		spec.VarParam = &function.Parameter{
			Name: fn.variadic, Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true, AllowUnknown: true,
		}
	}
	spec.Impl = func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		if slices.Contains(e.calls, fn.name) {
			return cty.DynamicVal, fmt.Errorf("function cycle: %s -> %s; a function cannot call itself, directly or not",
				strings.Join(e.calls[slices.Index(e.calls, fn.name):], " -> "), fn.name)
		}
		locals := make(map[string]cty.Value, len(args))
		for i, p := range fn.params {
			locals[p] = args[i]
		}
		if fn.variadic != "" {
			locals[fn.variadic] = cty.TupleVal(args[len(fn.params):])
		}
		e.calls = append(e.calls, fn.name)
		v, diags := e.Eval(fn.result, locals)
		e.calls = e.calls[:len(e.calls)-1]
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
		return v, nil
	}
	return function.New(spec)
}
