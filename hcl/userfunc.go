package hcl

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
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
// of the same name wins, as in buildx. Functions that call each other in
// a cycle are one error where the cycle starts, and return unknown values,
// so their callers report nothing more.
func (e *Evaluator) addUserFuncs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(e.userFuncs)) {
		fn := e.userFuncs[name]
		if _, ok := e.funcs[name]; ok {
			diags = append(diags, Warnf(&fn.nameRange, "Function shadows a built-in",
				"A built-in function named %q exists and is used instead of this one. Rename the function.", name))
			delete(e.userFuncs, name)
		}
	}
	cyclic, d := e.functionCycles()
	diags = append(diags, d...)
	for _, name := range slices.Sorted(maps.Keys(e.userFuncs)) {
		if cyclic[name] {
			e.funcs[name] = unknownFunction(e.userFuncs[name])
			continue
		}
		e.funcs[name] = e.makeFunction(e.userFuncs[name])
	}
	return diags
}

// functionCycles finds user functions that call each other in a cycle, from
// the calls written in their results (native syntax; a cycle through a
// JSON file is caught when called).
func (e *Evaluator) functionCycles() (map[string]bool, hcl.Diagnostics) {
	calls := map[string][]string{}
	for name, fn := range e.userFuncs {
		node, ok := fn.result.(hclsyntax.Node)
		if !ok {
			continue
		}
		hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
			if call, ok := n.(*hclsyntax.FunctionCallExpr); ok {
				if _, user := e.userFuncs[call.Name]; user && !slices.Contains(calls[name], call.Name) {
					calls[name] = append(calls[name], call.Name)
				}
			}
			return nil
		})
	}
	cyclic := map[string]bool{}
	var diags hcl.Diagnostics
	state := map[string]int{} // 0 new, 1 on the path, 2 done
	var path []string
	var visit func(string)
	visit = func(name string) {
		state[name] = 1
		path = append(path, name)
		callees := slices.Clone(calls[name])
		slices.Sort(callees)
		for _, c := range callees {
			switch state[c] {
			case 0:
				visit(c)
			case 1:
				cycle := append(slices.Clone(path[slices.Index(path, c):]), c)
				for _, n := range cycle {
					cyclic[n] = true
				}
				fn := e.userFuncs[c]
				diags = append(diags, Errorf(&fn.nameRange, "Function cycle",
					"Functions call each other in a cycle: %s. A function cannot call itself, directly or through others.",
					strings.Join(cycle, " -> ")))
			}
		}
		path = path[:len(path)-1]
		state[name] = 2
	}
	for _, name := range slices.Sorted(maps.Keys(e.userFuncs)) {
		if state[name] == 0 {
			visit(name)
		}
	}
	return cyclic, diags
}

// unknownFunction stands in for a function that was already reported as
// broken: it accepts the same arguments and returns an unknown value.
func unknownFunction(fn *userFunc) function.Function {
	spec := &function.Spec{Type: function.StaticReturnType(cty.DynamicPseudoType)}
	for _, p := range fn.params {
		spec.Params = append(spec.Params, function.Parameter{Name: p, Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true, AllowUnknown: true})
	}
	if fn.variadic != "" {
		spec.VarParam = &function.Parameter{Name: fn.variadic, Type: cty.DynamicPseudoType, AllowNull: true, AllowDynamicType: true, AllowUnknown: true}
	}
	spec.Impl = func([]cty.Value, cty.Type) (cty.Value, error) { return cty.DynamicVal, nil }
	return function.New(spec)
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
		if len(e.calls) >= maxChain {
			// Each call is a nested evaluation on the Go stack.
			return cty.DynamicVal, &funcError{msg: fmt.Sprintf("more than %d user function calls are nested here, which xbake does not follow; call fewer functions inside each other", maxChain)}
		}
		if slices.Contains(e.calls, fn.name) {
			return cty.DynamicVal, &funcError{msg: fmt.Sprintf("function cycle: %s -> %s; a function cannot call itself, directly or not",
				strings.Join(e.calls[slices.Index(e.calls, fn.name):], " -> "), fn.name)}
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
			return cty.DynamicVal, innermost(diags)
		}
		return v, nil
	}
	return function.New(spec)
}

// funcError is the error of a user function's body. HCL reports a failed
// call as "Call to function f failed: <err>"; nested user functions would
// stack those messages, so each level passes on the innermost one.
type funcError struct{ msg string }

func (e *funcError) Error() string { return e.msg }

func innermost(diags hcl.Diagnostics) error {
	for _, d := range diags {
		if le, ok := d.Extra.(*limitError); ok {
			// A limit keeps its own message and the place in the body.
			return &limitError{summary: le.summary, detail: le.detail, at: d.Subject}
		}
	}
	for _, d := range diags {
		if d.Severity != hcl.DiagError {
			continue
		}
		if extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d); ok {
			var fe *funcError
			if errors.As(extra.FunctionCallError(), &fe) {
				return fe
			}
		}
		msg := d.Summary
		if d.Detail != "" {
			msg = strings.TrimSuffix(d.Detail, ".")
		}
		if d.Subject != nil {
			msg = fmt.Sprintf("%s (at %s:%d:%d)", msg, d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column)
		}
		return &funcError{msg: msg}
	}
	return &funcError{msg: "the function failed"}
}
