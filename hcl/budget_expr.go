package hcl

import (
	"reflect"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// Functions are charged through the function table; the expressions that
// multiply values without calling a function (a for expression inside
// another, a template or a list that repeats a large variable) are
// charged by limitExpr nodes, which hookBudget inserts into the syntax
// tree: around the body of every for expression and every template part
// or collection element that is not a literal.

// budgetVar holds the budget, as a capsule, in an Evaluator's root
// context: syntax trees may be shared by several evaluators, so a node
// finds the budget of the evaluation it is part of there. No HCL
// identifier can spell the name.
const budgetVar = "\x00budget"

var budgetType = cty.Capsule("budget", reflect.TypeOf(budget{}))

func budgetOf(ctx *hcl.EvalContext) *budget {
	for c := ctx; c != nil; c = c.Parent() {
		if v, ok := c.Variables[budgetVar]; ok {
			return v.EncapsulatedValue().(*budget)
		}
	}
	return nil
}

// limitExpr charges the value of the expression it wraps. It embeds a
// ParenthesesExpr, whose walks visit the wrapped expression, so that the
// tree's variables and function calls are found as before.
type limitExpr struct {
	*hclsyntax.ParenthesesExpr
	what string
}

func limited(x hclsyntax.Expression, what string) hclsyntax.Expression {
	if _, done := x.(*limitExpr); done {
		return x
	}
	return &limitExpr{ParenthesesExpr: &hclsyntax.ParenthesesExpr{Expression: x, SrcRange: x.Range()}, what: what}
}

func (l *limitExpr) Value(ctx *hcl.EvalContext) (cty.Value, hcl.Diagnostics) {
	b := budgetOf(ctx)
	if b == nil {
		return l.Expression.Value(ctx)
	}
	if b.aborted() {
		return cty.DynamicVal, nil
	}
	v, diags := l.Expression.Value(ctx)
	if b.aborted() {
		return cty.DynamicVal, diags // stopped inside; Eval reports it
	}
	if le := b.charge(v, l.what); le != nil {
		return cty.DynamicVal, append(diags, b.report(le.diag(l.Range())))
	}
	return v, diags
}

// UnwrapExpression lets hcl.ExprList, hcl.ExprAsKeyword and the like see
// the wrapped expression.
func (l *limitExpr) UnwrapExpression() hcl.Expression { return l.Expression }

// hookBudget inserts limitExpr nodes into a native syntax tree, in place.
// It may run more than once on the same tree.
func hookBudget(node hclsyntax.Node) {
	hclsyntax.VisitAll(node, func(n hclsyntax.Node) hcl.Diagnostics {
		switch n := n.(type) {
		case *hclsyntax.ForExpr:
			n.ValExpr = limited(n.ValExpr, "An element of this for expression")
			if n.KeyExpr != nil {
				n.KeyExpr = limited(n.KeyExpr, "A key of this for expression")
			}
			if n.CondExpr != nil {
				n.CondExpr = limited(n.CondExpr, "The condition of this for expression")
			}
		case *hclsyntax.TemplateExpr:
			for i, p := range n.Parts {
				if multiplies(p) {
					n.Parts[i] = limited(p, "This part of the string")
				}
			}
		case *hclsyntax.TupleConsExpr:
			for i, x := range n.Exprs {
				if multiplies(x) {
					n.Exprs[i] = limited(x, "This element")
				}
			}
		case *hclsyntax.ObjectConsExpr:
			for i, item := range n.Items {
				if multiplies(item.ValueExpr) {
					n.Items[i].ValueExpr = limited(item.ValueExpr, "This element")
				}
			}
		}
		return nil
	})
}

// multiplies reports whether x may yield a large value that is not
// charged where it is made (a reference to a variable, an element of
// one): copying or repeating it multiplies memory. Literals are as large
// as the file, and function calls, for expressions and templates charge
// what they make themselves.
func multiplies(x hclsyntax.Expression) bool {
	switch x.(type) {
	case *hclsyntax.LiteralValueExpr, *hclsyntax.FunctionCallExpr, *hclsyntax.ForExpr,
		*hclsyntax.TemplateExpr, *hclsyntax.TupleConsExpr, *hclsyntax.ObjectConsExpr, *limitExpr:
		return false
	}
	return true
}
