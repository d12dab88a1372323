package hcl

import (
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Options are the inputs of evaluation that do not come from the files.
type Options struct {
	// Vars are --var NAME=value overrides; they beat the environment.
	Vars map[string]string
	// LookupEnv reads same-named environment variables for variable
	// overrides; nil disables it (BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP).
	LookupEnv func(string) (string, bool)
	// Builtins are reserved string variables such as BAKE_CMD_CONTEXT.
	Builtins map[string]string
	// BlockTypes are the labelled block types the caller decodes ("target",
	// "group"); the evaluator collects them and resolves TYPE.NAME.ATTR
	// references through BlockRefs.
	BlockTypes []string
	// OtherBlocks are labelled block types the caller reads by itself
	// (xbake's "test"): not warned about, not collected, and not names
	// that expressions resolve (a variable may share one).
	OtherBlocks []string
}

// BlockRefs resolves references such as target.app.tags: the value of
// attribute attr of the block of type typ named name. attr is empty for a
// reference to the whole block. rng is the reference, for diagnostics.
type BlockRefs interface {
	BlockRef(typ, name, attr string, rng hcl.Range) (cty.Value, hcl.Diagnostics)
}

// Evaluator evaluates expressions of a set of bake files. Variables,
// top-level attributes, user functions and block references are resolved
// on demand and cached, so only what an expression needs is evaluated.
//
// An Evaluator is not safe for concurrent use.
type Evaluator struct {
	opts  Options
	funcs map[string]function.Function

	vars       map[string]*Variable
	attrs      map[string]*hcl.Attribute
	userFuncs  map[string]*userFunc
	blockTypes map[string]bool
	blocks     []*hcl.Block
	refs       BlockRefs

	// globals are the resolved variables, attributes and built-ins; base
	// is the context that holds them and the functions.
	globals map[string]cty.Value
	base    *hcl.EvalContext
	travs   map[hcl.Expression][]hcl.Traversal
	trace   []string // what is being resolved: globals and block attributes
	calls   []string // user functions being called, for cycle errors

	// budget bounds what evaluation makes (budget.go); fromJSON holds the
	// native trees evaluated for JSON expressions (budget_json.go).
	budget   *budget
	fromJSON map[hcl.Expression]hclsyntax.Expression
}

// New collects the variables, functions, top-level attributes and blocks of
// files (in order: later definitions replace earlier ones). Nothing is
// evaluated yet.
func New(files []*hcl.File, opts Options) (*Evaluator, hcl.Diagnostics) {
	e := &Evaluator{
		opts:       opts,
		funcs:      Functions(),
		vars:       map[string]*Variable{},
		attrs:      map[string]*hcl.Attribute{},
		userFuncs:  map[string]*userFunc{},
		blockTypes: map[string]bool{},
		globals:    map[string]cty.Value{},
		travs:      map[hcl.Expression][]hcl.Traversal{},
		budget:     &budget{},
		fromJSON:   map[hcl.Expression]hclsyntax.Expression{},
	}
	e.globals[budgetVar] = cty.CapsuleVal(budgetType, e.budget)
	for _, f := range files {
		if body, ok := f.Body.(*hclsyntax.Body); ok {
			hookBudget(body)
		}
	}
	schema := &hcl.BodySchema{Blocks: []hcl.BlockHeaderSchema{
		{Type: "variable", LabelNames: []string{"name"}},
		{Type: "function", LabelNames: []string{"name"}},
	}}
	for _, t := range opts.BlockTypes {
		e.blockTypes[t] = true
		schema.Blocks = append(schema.Blocks, hcl.BlockHeaderSchema{Type: t, LabelNames: []string{"name"}})
	}
	known := &hcl.BodySchema{Blocks: slices.Clone(schema.Blocks)}
	for _, t := range opts.OtherBlocks {
		known.Blocks = append(known.Blocks, hcl.BlockHeaderSchema{Type: t, LabelNames: []string{"name"}})
	}
	var diags hcl.Diagnostics
	for _, f := range files {
		content, remain, d := f.Body.PartialContent(schema)
		diags = append(diags, d...)
		for _, b := range content.Blocks {
			switch b.Type {
			case "variable":
				v, d := decodeVariable(b)
				diags = append(diags, d...)
				if v != nil && !e.reserved(v.Name) {
					e.vars[v.Name] = v
				}
			case "function":
				fn, d := decodeFunction(b)
				diags = append(diags, d...)
				if fn != nil && !e.reserved(fn.name) {
					e.userFuncs[fn.name] = fn
				}
			default:
				e.blocks = append(e.blocks, b)
			}
		}
		attrs, d := justAttributes(remain)
		diags = append(diags, d...)
		diags = append(diags, UnknownBlocks(f.Body, known, "Only target, group, variable, function and test blocks are read at the top level")...)
		for _, a := range attrs {
			if !e.reserved(a.Name) {
				e.attrs[a.Name] = a
			}
		}
	}
	diags = append(diags, e.addUserFuncs()...)
	for name, fn := range e.funcs {
		e.funcs[name] = e.limitFunction(name, fn)
	}
	e.base = &hcl.EvalContext{Variables: e.globals, Functions: e.funcs}
	return e, diags
}

// reserved names cannot be declared: block types and built-in variables.
func (e *Evaluator) reserved(name string) bool {
	if e.blockTypes[name] || name == "variable" || name == "function" {
		return true
	}
	_, ok := e.opts.Builtins[name]
	return ok
}

// justAttributes returns the top-level attributes of a body whose blocks
// were already taken. Duplicates keep the last one, as in buildx.
func justAttributes(body hcl.Body) ([]*hcl.Attribute, hcl.Diagnostics) {
	attrs, diags := body.JustAttributes()
	var keep hcl.Diagnostics
	for _, d := range diags {
		switch {
		case strings.Contains(d.Detail, "Blocks are not allowed here"):
			// HCL says so whenever a body has blocks, even taken ones;
			// UnknownBlocks reports the ones that matter.
		case d.Summary == "Duplicate argument" || d.Summary == "Duplicate attribute":
			// The last definition wins, as it does across files.
		default:
			keep = append(keep, d)
		}
	}
	out := make([]*hcl.Attribute, 0, len(attrs))
	for _, a := range attrs {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hcl.Attribute) int { return strings.Compare(a.Name, b.Name) })
	return out, keep
}

// UnknownBlocks warns about blocks in a native-syntax body whose type the
// schema does not know; buildx ignores them silently, which hides typos.
func UnknownBlocks(body hcl.Body, schema *hcl.BodySchema, what string) hcl.Diagnostics {
	sb, ok := body.(*hclsyntax.Body)
	if !ok {
		return nil
	}
	known := make([]string, 0, len(schema.Blocks))
	for _, b := range schema.Blocks {
		known = append(known, b.Type)
	}
	var diags hcl.Diagnostics
	for _, b := range sb.Blocks {
		if slices.Contains(known, b.Type) {
			continue
		}
		detail := fmt.Sprintf("Blocks of type %q are not supported here and are ignored. %s.", b.Type, what)
		if s := Suggest(b.Type, known); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		rng := b.TypeRange
		diags = append(diags, Warnf(&rng, "Unsupported block type", "%s", detail))
	}
	return diags
}

// SetBlockRefs installs the resolver of TYPE.NAME.ATTR references.
func (e *Evaluator) SetBlockRefs(r BlockRefs) { e.refs = r }

// Blocks returns the blocks of the types in Options.BlockTypes, in file and
// source order.
func (e *Evaluator) Blocks() []*hcl.Block { return e.blocks }

// Eval evaluates expr in the global scope extended by locals (matrix values,
// function parameters), which shadow globals of the same name.
//
// Evaluation is bounded (budget.go): once a limit is reached, where a
// value is made, every Eval returns an unknown value and the same error.
func (e *Evaluator) Eval(expr hcl.Expression, locals map[string]cty.Value) (cty.Value, hcl.Diagnostics) {
	expr = e.native(expr)
	if e.budget.aborted() {
		return cty.DynamicVal, hcl.Diagnostics{e.budget.overAt(expr.Range())}
	}
	ctx, diags := e.Context(expr, locals)
	v, d := expr.Value(ctx)
	diags = append(diags, e.explainUnknown(d)...)
	diags = e.budget.limitDiags(diags)
	if !e.budget.aborted() && !diags.HasErrors() {
		if le := e.budget.charge(v, "This value"); le != nil {
			e.budget.report(le.diag(expr.Range()))
		}
	}
	if e.budget.aborted() {
		return cty.DynamicVal, e.budget.stopped(diags, expr.Range())
	}
	return v, diags
}

// Context returns an evaluation context for expr, resolving what it refers
// to first. A global that fails to resolve is reported once, where it is
// declared, and is unknown here, so errors do not cascade.
//
// Resolved globals live in one shared context; locals and block
// references are layered on top in a child, so evaluating an expression
// copies nothing.
func (e *Evaluator) Context(expr hcl.Expression, locals map[string]cty.Value) (*hcl.EvalContext, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	var refs map[string]map[string]map[string]cty.Value
	for _, tr := range e.variables(expr) {
		root := tr.RootName()
		if _, ok := locals[root]; ok {
			continue
		}
		if e.blockTypes[root] {
			if refs == nil {
				refs = map[string]map[string]map[string]cty.Value{}
			}
			diags = append(diags, e.addBlockRef(refs, tr)...)
			continue
		}
		_, _, d := e.global(root, tr.SourceRange())
		diags = append(diags, d...)
	}
	if len(locals) == 0 && refs == nil {
		return e.base, diags
	}
	ctx := e.base.NewChild()
	ctx.Variables = locals
	if refs != nil {
		vars := make(map[string]cty.Value, len(locals)+len(refs))
		for k, v := range locals {
			vars[k] = v
		}
		for typ, byName := range refs {
			names := make(map[string]cty.Value, len(byName))
			for name, attrs := range byName {
				names[name] = cty.ObjectVal(attrs)
			}
			vars[typ] = cty.ObjectVal(names)
		}
		ctx.Variables = vars
	}
	return ctx, diags
}

// variables returns expr.Variables(), computed once per expression: matrix
// instances evaluate the same expressions thousands of times.
func (e *Evaluator) variables(expr hcl.Expression) []hcl.Traversal {
	// Only pointers are safe map keys; syntax trees are made of them.
	if reflect.TypeOf(expr).Kind() != reflect.Pointer {
		return expr.Variables()
	}
	if t, ok := e.travs[expr]; ok {
		return t
	}
	t := expr.Variables()
	e.travs[expr] = t
	return t
}

// addBlockRef resolves one TYPE.NAME[.ATTR] traversal into refs.
func (e *Evaluator) addBlockRef(refs map[string]map[string]map[string]cty.Value, tr hcl.Traversal) hcl.Diagnostics {
	typ := tr.RootName()
	rel := tr.SimpleSplit().Rel
	name, ok := traversalKey(rel, 0)
	if !ok {
		rng := tr.SourceRange()
		return hcl.Diagnostics{Errorf(&rng, "Invalid reference",
			"A reference to a %s must name it, for example %s.app.tags.", typ, typ)}
	}
	attr, _ := traversalKey(rel, 1)
	if refs[typ] == nil {
		refs[typ] = map[string]map[string]cty.Value{}
	}
	if refs[typ][name] == nil {
		refs[typ][name] = map[string]cty.Value{}
	}
	if _, done := refs[typ][name][attr]; done && attr != "" {
		return nil
	}
	if e.refs == nil {
		return nil
	}
	v, diags := e.refs.BlockRef(typ, name, attr, tr.SourceRange())
	if attr == "" {
		if v.Type().IsObjectType() && v.IsKnown() && !v.IsNull() {
			for k, av := range v.AsValueMap() {
				refs[typ][name][k] = av
			}
		}
		return diags
	}
	refs[typ][name][attr] = v
	return diags
}

func traversalKey(rel hcl.Traversal, i int) (string, bool) {
	if len(rel) <= i {
		return "", false
	}
	switch t := rel[i].(type) {
	case hcl.TraverseAttr:
		return t.Name, true
	case hcl.TraverseIndex:
		if t.Key.Type() == cty.String && t.Key.IsKnown() {
			return t.Key.AsString(), true
		}
	}
	return "", false
}

// global returns the value of a variable, top-level attribute or built-in.
// ok is false for names that are none of these; the evaluation then reports
// them as unknown variables.
func (e *Evaluator) global(name string, ref hcl.Range) (cty.Value, bool, hcl.Diagnostics) {
	if v, ok := e.globals[name]; ok {
		return v, true, nil
	}
	if v, ok := e.opts.Builtins[name]; ok {
		e.globals[name] = cty.StringVal(v)
		return e.globals[name], true, nil
	}
	attr, isAttr := e.attrs[name]
	vr, isVar := e.vars[name]
	if !isAttr && !isVar {
		return cty.NilVal, false, nil
	}
	if len(e.trace) >= maxChain {
		// Each link is a nested evaluation on the Go stack.
		e.globals[name] = cty.DynamicVal
		return cty.DynamicVal, true, hcl.Diagnostics{Errorf(&ref, "References nest too deeply",
			"Resolving %q needs a chain of more than %d variables that refer to the next one, which xbake does not follow. Shorten the chain.", name, maxChain)}
	}
	if path := e.Enter(name); path != nil {
		// Unknown for now, so the expression that closes the cycle does not
		// also report an unknown variable; the outer resolution of name
		// overwrites it.
		e.globals[name] = cty.DynamicVal
		return cty.DynamicVal, true, hcl.Diagnostics{Errorf(&ref, "Variable cycle",
			"The value of %q depends on itself: %s. Break the cycle by giving one of them a value that does not refer back.",
			name, strings.Join(path, " -> "))}
	}
	var v cty.Value
	var diags hcl.Diagnostics
	if isVar {
		v, diags = e.resolveVariable(vr, attr)
	} else {
		v, diags = e.Eval(attr.Expr, nil)
	}
	e.Leave()
	if diags.HasErrors() {
		v = cty.DynamicVal
	}
	e.globals[name] = v
	return v, true, diags
}

// Enter records that name (a global, or a block attribute such as
// "target.app.tags") is being resolved, so that cycles through variables
// and block references are found and shown whole. When name is already
// being resolved it records nothing and returns the cycle, from name back
// to name; otherwise nil, and the caller must call Leave when done.
func (e *Evaluator) Enter(name string) []string {
	if i := slices.Index(e.trace, name); i >= 0 {
		return append(slices.Clone(e.trace[i:]), name)
	}
	e.trace = append(e.trace, name)
	return nil
}

// Leave ends the resolution recorded by the last successful Enter.
func (e *Evaluator) Leave() { e.trace = e.trace[:len(e.trace)-1] }

// ResolveGlobals resolves every variable and top-level attribute and runs
// the variables' validation blocks, as buildx does even for values no
// target uses. It reports all failures at once.
func (e *Evaluator) ResolveGlobals() hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(e.attrs)) {
		_, _, d := e.global(name, e.attrs[name].NameRange)
		diags = append(diags, d...)
	}
	for _, name := range slices.Sorted(maps.Keys(e.vars)) {
		_, _, d := e.global(name, e.vars[name].NameRange)
		diags = append(diags, d...)
	}
	// Validations run for every variable that resolved; one that failed was
	// reported already.
	for _, name := range slices.Sorted(maps.Keys(e.vars)) {
		if v := e.globals[name]; v.IsWhollyKnown() {
			diags = append(diags, e.validate(e.vars[name])...)
		}
	}
	return diags
}

// explainUnknown adds a did-you-mean to HCL's "Unknown variable" errors.
func (e *Evaluator) explainUnknown(diags hcl.Diagnostics) hcl.Diagnostics {
	for _, d := range diags {
		if d.Summary != "Unknown variable" || d.Subject == nil || d.Expression == nil {
			continue
		}
		var name string
		for _, tr := range d.Expression.Variables() {
			if tr.SourceRange().Start.Byte == d.Subject.Start.Byte {
				name = tr.RootName()
			}
		}
		if name == "" {
			continue
		}
		candidates := append(slices.Sorted(maps.Keys(e.vars)), slices.Sorted(maps.Keys(e.attrs))...)
		candidates = append(candidates, slices.Sorted(maps.Keys(e.opts.Builtins))...)
		if s := Suggest(name, candidates); s != "" {
			d.Detail = fmt.Sprintf("There is no variable named %q. Did you mean %q?", name, s)
		} else {
			d.Detail = fmt.Sprintf("There is no variable named %q. Declare it with a variable block, or check the spelling.", name)
		}
	}
	return diags
}
