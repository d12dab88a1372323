package hcl

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	ctyjson "github.com/zclconf/go-cty/cty/json"
)

// Variable is a `variable` block.
type Variable struct {
	Name        string
	Description string
	// Type is cty.NilType for an untyped variable.
	Type        cty.Type
	Default     *hcl.Attribute
	Validations []*Validation
	NameRange   hcl.Range
}

// Validation is a `validation` block of a variable.
type Validation struct {
	Condition    hcl.Expression
	ErrorMessage hcl.Expression
}

var variableSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "default"}, {Name: "type"}, {Name: "description"}},
	Blocks:     []hcl.BlockHeaderSchema{{Type: "validation"}},
}

var validationSchema = &hcl.BodySchema{
	Attributes: []hcl.AttributeSchema{{Name: "condition", Required: true}, {Name: "error_message"}},
}

func decodeVariable(b *hcl.Block) (*Variable, hcl.Diagnostics) {
	v := &Variable{Name: b.Labels[0], NameRange: b.LabelRanges[0]}
	// Unknown attributes are accepted, as in buildx.
	content, _, diags := b.Body.PartialContent(variableSchema)
	if a, ok := content.Attributes["default"]; ok {
		v.Default = a
	}
	if a, ok := content.Attributes["type"]; ok {
		t, d := typeexpr.TypeConstraint(a.Expr)
		if d.HasErrors() {
			diags = append(diags, Errorf(a.Expr.Range().Ptr(), "Invalid variable type",
				"%s Write a type keyword such as string, bool, number, list(string) or object({name=string}), without quotes.",
				diagDetail(d)))
		} else {
			v.Type = t
		}
	}
	if a, ok := content.Attributes["description"]; ok {
		val, d := a.Expr.Value(nil)
		if !d.HasErrors() && val.Type() == cty.String && val.IsKnown() && !val.IsNull() {
			v.Description = val.AsString()
		} else {
			diags = append(diags, Errorf(a.Expr.Range().Ptr(), "Invalid description",
				"The description of variable %q must be a literal string.", v.Name))
		}
	}
	for _, vb := range content.Blocks {
		vc, d := vb.Body.Content(validationSchema)
		diags = append(diags, d...)
		if d.HasErrors() {
			continue
		}
		val := &Validation{Condition: vc.Attributes["condition"].Expr}
		if m, ok := vc.Attributes["error_message"]; ok {
			val.ErrorMessage = m.Expr
		}
		v.Validations = append(v.Validations, val)
	}
	return v, diags
}

func diagDetail(diags hcl.Diagnostics) string {
	for _, d := range diags {
		if d.Severity == hcl.DiagError {
			if d.Detail != "" {
				return d.Detail
			}
			return d.Summary + "."
		}
	}
	return ""
}

// override is a value given for a variable from outside the files.
type override struct {
	value string
	from  string // "--var NAME" or "environment variable NAME", for messages
}

func (e *Evaluator) lookupOverride(name string) (override, bool) {
	if v, ok := e.opts.Vars[name]; ok {
		return override{v, fmt.Sprintf("--var %s", name)}, true
	}
	if e.opts.LookupEnv != nil {
		if v, ok := e.opts.LookupEnv(name); ok {
			return override{v, fmt.Sprintf("environment variable %s", name)}, true
		}
	}
	return override{}, false
}

// jsonOverride looks up NAME_JSON, unless a variable of that very name
// exists (then NAME_JSON_JSON is that variable's JSON override).
func (e *Evaluator) jsonOverride(name string) (override, bool) {
	jname := name + "_JSON"
	if _, ok := e.vars[jname]; ok {
		return override{}, false
	}
	if _, ok := e.opts.Builtins[jname]; ok {
		return override{}, false
	}
	return e.lookupOverride(jname)
}

// resolveVariable computes a variable's value: a same-named top-level
// attribute replaces its default, then --var or the environment override
// it, parsed according to its type.
func (e *Evaluator) resolveVariable(v *Variable, attr *hcl.Attribute) (cty.Value, hcl.Diagnostics) {
	def := v.Default
	if attr != nil {
		def = attr
	}
	var val cty.Value
	var diags hcl.Diagnostics
	if def != nil {
		val, diags = e.Eval(def.Expr, nil)
		if diags.HasErrors() {
			return cty.DynamicVal, diags
		}
		if v.Type != cty.NilType {
			cv, err := convert.Convert(val, v.Type)
			if err != nil {
				return cty.DynamicVal, append(diags, Errorf(def.Expr.Range().Ptr(), "Invalid default value",
					"The default value of variable %q is not %s: %s.", v.Name, TypeName(v.Type), err))
			}
			val = cv
		}
	}

	if v.Type != cty.NilType {
		if o, ok := e.jsonOverride(v.Name); ok {
			pv, err := ctyjson.Unmarshal([]byte(o.value), v.Type)
			if err != nil {
				return cty.DynamicVal, append(diags, e.overrideError(v, o, fmt.Sprintf("it is not valid JSON for type %s: %s", v.Type.FriendlyName(), err)))
			}
			return pv, diags
		}
		if o, ok := e.lookupOverride(v.Name); ok {
			pv, err := parseTyped(o.value, v.Type)
			if err != nil {
				return cty.DynamicVal, append(diags, e.overrideError(v, o, err.Error()))
			}
			return pv, diags
		}
		if def == nil {
			return cty.NullVal(v.Type), diags
		}
		return val, diags
	}

	o, ok := e.lookupOverride(v.Name)
	if !ok {
		// An untyped variable takes NAME_JSON as a plain string, and only
		// when NAME itself is not set.
		o, ok = e.jsonOverride(v.Name)
	}
	if def == nil {
		return cty.StringVal(o.value), diags
	}
	if !ok {
		return val, diags
	}
	t := val.Type()
	if t == cty.DynamicPseudoType {
		t = cty.String // a null default: the override is a string
	}
	if !t.IsPrimitiveType() {
		return cty.DynamicVal, append(diags, e.overrideError(v, o, fmt.Sprintf(
			"the default is %s, and only string, number and bool variables can be set from a plain value; declare type = %s and set %s_JSON to a JSON value",
			TypeName(t), typeexpr.TypeString(t), v.Name)))
	}
	pv, err := parseTyped(o.value, t)
	if err != nil {
		return cty.DynamicVal, append(diags, e.overrideError(v, o, err.Error()))
	}
	return pv, diags
}

func (e *Evaluator) overrideError(v *Variable, o override, why string) *hcl.Diagnostic {
	return Errorf(&v.NameRange, "Invalid value for variable",
		"The value of variable %q from %s cannot be used: %s.", v.Name, o.from, why)
}

// parseTyped parses an override string as t: primitives directly, lists,
// sets and tuples of primitives as CSV, maps of primitives as CSV of
// key:value pairs. Anything else needs NAME_JSON.
func parseTyped(s string, t cty.Type) (cty.Value, error) {
	switch {
	case t.IsPrimitiveType():
		return parsePrimitive(s, t)
	case t.IsListType() || t.IsSetType():
		et := t.ElementType()
		if !et.IsPrimitiveType() {
			return cty.NilVal, unsupported(t)
		}
		fields, err := csvFields(s)
		if err != nil {
			return cty.NilVal, err
		}
		vals := make([]cty.Value, 0, len(fields))
		for _, f := range fields {
			v, err := parsePrimitive(f, et)
			if err != nil {
				return cty.NilVal, err
			}
			vals = append(vals, v)
		}
		if len(vals) == 0 {
			if t.IsListType() {
				return cty.ListValEmpty(et), nil
			}
			return cty.SetValEmpty(et), nil
		}
		if t.IsListType() {
			return cty.ListVal(vals), nil
		}
		return cty.SetVal(vals), nil
	case t.IsTupleType():
		types := t.TupleElementTypes()
		fields, err := csvFields(s)
		if err != nil {
			return cty.NilVal, err
		}
		if len(fields) != len(types) {
			return cty.NilVal, fmt.Errorf("the tuple needs %d comma-separated values, got %d", len(types), len(fields))
		}
		vals := make([]cty.Value, len(fields))
		for i, f := range fields {
			if !types[i].IsPrimitiveType() {
				return cty.NilVal, unsupported(t)
			}
			if vals[i], err = parsePrimitive(f, types[i]); err != nil {
				return cty.NilVal, err
			}
		}
		return cty.TupleVal(vals), nil
	case t.IsMapType():
		et := t.ElementType()
		if !et.IsPrimitiveType() {
			return cty.NilVal, unsupported(t)
		}
		fields, err := csvFields(s)
		if err != nil {
			return cty.NilVal, err
		}
		vals := map[string]cty.Value{}
		for _, f := range fields {
			k, rawv, ok := strings.Cut(f, ":")
			if !ok {
				return cty.NilVal, fmt.Errorf("map entry %q is not key:value", f)
			}
			if vals[k], err = parsePrimitive(rawv, et); err != nil {
				return cty.NilVal, err
			}
		}
		if len(vals) == 0 {
			return cty.MapValEmpty(et), nil
		}
		return cty.MapVal(vals), nil
	}
	return cty.NilVal, unsupported(t)
}

func unsupported(t cty.Type) error {
	return fmt.Errorf("%s can only be set as JSON: use the _JSON suffix on the name", TypeName(t))
}

func parsePrimitive(s string, t cty.Type) (cty.Value, error) {
	switch t {
	case cty.String:
		return cty.StringVal(s), nil
	case cty.Bool:
		b, err := strconv.ParseBool(s)
		if err != nil {
			return cty.NilVal, fmt.Errorf("%q is not a bool (use true or false)", s)
		}
		return cty.BoolVal(b), nil
	case cty.Number:
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return cty.NilVal, fmt.Errorf("%q is not a number", s)
		}
		return cty.NumberVal(new(big.Float).SetFloat64(f)), nil
	}
	return cty.NilVal, unsupported(t)
}

func csvFields(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	r := csv.NewReader(strings.NewReader(s))
	r.FieldsPerRecord = -1
	rec, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%q is not a comma-separated list: %v", s, err)
	}
	return rec, nil
}

// validate runs the validation blocks of v; every failure is reported.
func (e *Evaluator) validate(v *Variable) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, val := range v.Validations {
		cond, d := e.Eval(val.Condition, nil)
		if d.HasErrors() {
			diags = append(diags, d...)
			continue
		}
		rng := val.Condition.Range()
		switch {
		case !cond.IsKnown():
			continue // an upstream error was already reported
		case cond.IsNull():
			diags = append(diags, Errorf(&rng, "Invalid validation condition",
				"The condition for variable %q returned null; it must return true or false.", v.Name))
			continue
		}
		b, err := convert.Convert(cond, cty.Bool)
		if err != nil {
			diags = append(diags, Errorf(&rng, "Invalid validation condition",
				"The condition for variable %q must return a bool, not %s.", v.Name, TypeName(cond.Type())))
			continue
		}
		if b.True() {
			continue
		}
		detail := "This check failed, but has an invalid error message."
		if val.ErrorMessage != nil {
			msg, d := e.Eval(val.ErrorMessage, nil)
			if !d.HasErrors() {
				if s, err := convert.Convert(msg, cty.String); err == nil && s.IsKnown() && !s.IsNull() {
					detail = s.AsString()
				}
			}
		}
		diags = append(diags, Errorf(&rng, "Validation failed", "%s", detail))
	}
	return diags
}

// VariableInfo is one variable as `--list variables` shows it.
type VariableInfo struct {
	Name        string  `json:"name"`
	Description string  `json:"description,omitempty"`
	Type        string  `json:"type,omitempty"`
	Value       *string `json:"value,omitempty"`
}

// Variables returns every declared variable with its resolved value,
// sorted by name. Call ResolveGlobals first.
func (e *Evaluator) Variables() []VariableInfo {
	out := make([]VariableInfo, 0, len(e.vars))
	for _, name := range slices.Sorted(maps.Keys(e.vars)) {
		v := e.vars[name]
		info := VariableInfo{Name: name, Description: v.Description}
		if v.Type != cty.NilType {
			info.Type = v.Type.FriendlyName()
		}
		if val, ok := e.globals[name]; ok && val.IsWhollyKnown() && !val.IsNull() {
			s := formatValue(val)
			info.Value = &s
		}
		out = append(out, info)
	}
	return out
}

// formatValue prints strings as they are and everything else as JSON.
func formatValue(v cty.Value) string {
	if v.Type() == cty.String {
		return v.AsString()
	}
	b, err := ctyjson.Marshal(v, v.Type())
	if err != nil {
		return v.GoString()
	}
	var buf json.RawMessage = b
	return string(buf)
}
