package bake

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	xhcl "github.com/xbake/xbake/hcl"
)

// The decoders of evaluated values: the decode column of the attribute
// table (attrs.go). Each returns the Go value, or nil for null (unset).

func decodeBool(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	b, err := convert.Convert(v, cty.Bool)
	if err != nil || b.IsNull() {
		return nil, fmt.Errorf("a bool is required, not %s", friendly(v))
	}
	x := b.True()
	return &x, nil
}

// decodeEntries decodes a list whose elements are CSV strings or objects;
// null and empty elements are skipped.
func decodeEntries[E any](v cty.Value, parse func(cty.Value) ([]E, error)) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !isList(v) {
		return nil, fmt.Errorf("a list of strings or objects is required, not %s", friendly(v))
	}
	out := []E{}
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		if ev.IsNull() || !ev.IsKnown() || (ev.Type() == cty.String && ev.AsString() == "") {
			continue
		}
		es, err := parse(ev)
		if err != nil {
			return nil, &elemError{index: i, err: err}
		}
		out = append(out, es...)
	}
	return out, nil
}

// elemError is a decoding error of one element of a list attribute.
type elemError struct {
	index int
	err   error
}

func (e *elemError) Error() string { return e.err.Error() }

func isList(v cty.Value) bool {
	t := v.Type()
	return t.IsListType() || t.IsTupleType() || t.IsSetType()
}

// friendly names v's type with its article: "a string", "an object",
// "null".
func friendly(v cty.Value) string {
	if v.IsNull() {
		return "null"
	}
	return xhcl.TypeName(v.Type())
}

func toString(v cty.Value) (*string, error) {
	if v.IsNull() {
		return nil, nil
	}
	s, err := convert.Convert(v, cty.String)
	if err != nil || !s.IsKnown() {
		return nil, fmt.Errorf("a string is required, not %s", friendly(v))
	}
	if s.IsNull() {
		return nil, nil
	}
	str := s.AsString()
	return &str, nil
}

func decodeStringList(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !isList(v) {
		return nil, fmt.Errorf("a list of strings is required, not %s", friendly(v))
	}
	out := make([]string, 0, v.LengthInt())
	i := 0
	for it := v.ElementIterator(); it.Next(); i++ {
		_, ev := it.Element()
		s, err := toString(ev)
		if err != nil {
			return nil, &elemError{index: i, err: err}
		}
		if s == nil {
			return nil, &elemError{index: i, err: fmt.Errorf("a string is required, not null")}
		}
		out = append(out, *s)
	}
	return out, nil
}

func isMap(v cty.Value) bool {
	return v.Type().IsMapType() || v.Type().IsObjectType()
}

func decodeNullableMap(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !isMap(v) {
		return nil, fmt.Errorf("a map of strings is required, not %s", friendly(v))
	}
	out := make(map[string]*string, v.LengthInt())
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		s, err := toString(ev)
		if err != nil {
			return nil, fmt.Errorf("the value of %q: %w", k.AsString(), err)
		}
		out[k.AsString()] = s
	}
	return out, nil
}

func decodeContexts(v cty.Value) (any, error) {
	x, err := decodeNullableMap(v)
	if err != nil || x == nil {
		return nil, err
	}
	out := map[string]string{}
	for k, s := range x.(map[string]*string) {
		if s != nil {
			out[k] = *s
		} else {
			out[k] = ""
		}
	}
	return out, nil
}

func contextsValue(x any) cty.Value {
	m, _ := x.(map[string]string)
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}

// elemRanges adds the ranges of the elements of a literal list or map
// expression to elems, keyed "attr.index" or "attr.key", unless a range is
// there already.
func elemRanges(elems map[string]hcl.Range, attr string, expr hcl.Expression) {
	if exprs, diags := hcl.ExprList(expr); !diags.HasErrors() {
		for i, e := range exprs {
			setIfAbsent(elems, attr+"."+strconv.Itoa(i), e.Range())
		}
		return
	}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return
	}
	// The last of repeated keys is the one that counts.
	for i := len(pairs) - 1; i >= 0; i-- {
		if k, ok := mapKey(pairs[i].Key); ok {
			setIfAbsent(elems, attr+"."+k, pairs[i].Value.Range())
		}
	}
}

// elemRange returns the range of one element of a literal list or map
// expression: key is the index in a list, or the key in a map.
func elemRange(expr hcl.Expression, key string) (hcl.Range, bool) {
	if exprs, diags := hcl.ExprList(expr); !diags.HasErrors() {
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(exprs) {
			return hcl.Range{}, false
		}
		return exprs[i].Range(), true
	}
	pairs, diags := hcl.ExprMap(expr)
	if diags.HasErrors() {
		return hcl.Range{}, false
	}
	// The last of repeated keys is the one that counts.
	for i := len(pairs) - 1; i >= 0; i-- {
		if k, ok := mapKey(pairs[i].Key); ok && k == key {
			return pairs[i].Value.Range(), true
		}
	}
	return hcl.Range{}, false
}

// mapKey reads the key of a literal map element: a string, or a bare
// keyword.
func mapKey(expr hcl.Expression) (string, bool) {
	k, d := expr.Value(nil)
	if d.HasErrors() || k.Type() != cty.String || k.IsNull() || !k.IsKnown() {
		kw := hcl.ExprAsKeyword(expr)
		return kw, kw != ""
	}
	return k.AsString(), true
}
