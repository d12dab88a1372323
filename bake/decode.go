package bake

import (
	"fmt"
	"strconv"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	xhcl "github.com/xbake/xbake/hcl"
)

// attrCodec decodes one target attribute from its evaluated value, stores
// it in a Target, and turns it back into a value for target.NAME.ATTR
// references (which see the decoded value, as in buildx: numbers in args
// read back as strings, outputs as maps).
type attrCodec struct {
	name string
	// decode returns the Go value; nil for null (the attribute is unset).
	decode func(v cty.Value) (any, error)
	set    func(t *Target, x any)
	// value is x as a cty value; x may be nil (unset).
	value func(x any) cty.Value
}

// targetCodecs lists the decoded attributes in buildx's field order.
// name, matrix and inherits are handled by the block decoder itself.
var targetCodecs = []*attrCodec{
	strAttr("description", func(t *Target, s *string) {
		if s != nil {
			t.Description = *s
		}
	}),
	listAttr("annotations", func(t *Target, l []string) { t.Annotations = l }),
	entryAttr("attest", parseAttestValue, func(t *Target, l []*Attest) { t.Attest = l }, attestValue),
	strAttr("context", func(t *Target, s *string) { t.Context = s }),
	{name: "contexts", decode: decodeContexts, set: func(t *Target, x any) { t.Contexts, _ = x.(map[string]string) }, value: contextsValue},
	strAttr("dockerfile", func(t *Target, s *string) { t.Dockerfile = s }),
	strAttr("dockerfile-inline", func(t *Target, s *string) { t.DockerfileInline = s }),
	mapAttr("args", func(t *Target, m map[string]*string) { t.Args = m }),
	mapAttr("labels", func(t *Target, m map[string]*string) { t.Labels = m }),
	listAttr("tags", func(t *Target, l []string) { t.Tags = l }),
	entryAttr("cache-from", parseCacheValue, func(t *Target, l []*CacheEntry) { t.CacheFrom = l }, cacheValue),
	entryAttr("cache-to", parseCacheValue, func(t *Target, l []*CacheEntry) { t.CacheTo = l }, cacheValue),
	strAttr("target", func(t *Target, s *string) { t.Target = s }),
	entryAttr("secret", parseSecretValue, func(t *Target, l []*Secret) { t.Secrets = l }, secretValue),
	entryAttr("ssh", parseSSHValue, func(t *Target, l []*SSH) { t.SSH = l }, sshValue),
	listAttr("platforms", func(t *Target, l []string) { t.Platforms = l }),
	entryAttr("output", parseExportValue, func(t *Target, l []*Export) { t.Outputs = l }, exportValue),
	boolAttr("pull", func(t *Target, b *bool) { t.Pull = b }),
	boolAttr("no-cache", func(t *Target, b *bool) { t.NoCache = b }),
	strAttr("network", func(t *Target, s *string) { t.Network = s }),
	listAttr("no-cache-filter", func(t *Target, l []string) { t.NoCacheFilter = l }),
	strAttr("shm-size", func(t *Target, s *string) { t.ShmSize = s }),
	listAttr("ulimits", func(t *Target, l []string) { t.Ulimits = l }),
	{name: "resources", decode: decodeResources, set: func(t *Target, x any) { t.Resources, _ = x.(*Resources) }, value: resourcesValue},
	strAttr("call", func(t *Target, s *string) { t.Call = s }),
	listAttr("entitlements", func(t *Target, l []string) { t.Entitlements = l }),
	mapAttr("extra-hosts", func(t *Target, m map[string]*string) { t.ExtraHosts = m }),
	entryAttr("policy", parsePolicyValue, func(t *Target, l []*Policy) { t.Policy = l }, policyValue),
}

// TargetAttributes are the attribute names a target block accepts, in
// buildx's order.
var TargetAttributes = func() []string {
	names := []string{"name", "matrix"}
	for _, c := range targetCodecs {
		names = append(names, c.name)
		if c.name == "description" {
			names = append(names, "inherits")
		}
	}
	return names
}()

var codecByName = func() map[string]*attrCodec {
	m := map[string]*attrCodec{}
	for _, c := range targetCodecs {
		m[c.name] = c
	}
	return m
}()

func strAttr(name string, set func(*Target, *string)) *attrCodec {
	return &attrCodec{
		name: name,
		decode: func(v cty.Value) (any, error) {
			s, err := toString(v)
			if err != nil || s == nil {
				return nil, err
			}
			return s, nil
		},
		set: func(t *Target, x any) { s, _ := x.(*string); set(t, s) },
		value: func(x any) cty.Value {
			if s, ok := x.(*string); ok && s != nil {
				return cty.StringVal(*s)
			}
			return cty.NullVal(cty.String)
		},
	}
}

func boolAttr(name string, set func(*Target, *bool)) *attrCodec {
	return &attrCodec{
		name: name,
		decode: func(v cty.Value) (any, error) {
			if v.IsNull() {
				return nil, nil
			}
			b, err := convert.Convert(v, cty.Bool)
			if err != nil || b.IsNull() {
				return nil, fmt.Errorf("a bool is required, not %s", friendly(v))
			}
			x := b.True()
			return &x, nil
		},
		set: func(t *Target, x any) { b, _ := x.(*bool); set(t, b) },
		value: func(x any) cty.Value {
			if b, ok := x.(*bool); ok && b != nil {
				return cty.BoolVal(*b)
			}
			return cty.NullVal(cty.Bool)
		},
	}
}

func listAttr(name string, set func(*Target, []string)) *attrCodec {
	return &attrCodec{
		name:   name,
		decode: decodeStringList,
		set:    func(t *Target, x any) { l, _ := x.([]string); set(t, l) },
		value: func(x any) cty.Value {
			l, _ := x.([]string)
			if len(l) == 0 {
				return cty.ListValEmpty(cty.String)
			}
			vals := make([]cty.Value, len(l))
			for i, s := range l {
				vals[i] = cty.StringVal(s)
			}
			return cty.ListVal(vals)
		},
	}
}

func mapAttr(name string, set func(*Target, map[string]*string)) *attrCodec {
	return &attrCodec{
		name:   name,
		decode: decodeNullableMap,
		set:    func(t *Target, x any) { m, _ := x.(map[string]*string); set(t, m) },
		value: func(x any) cty.Value {
			m, _ := x.(map[string]*string)
			if len(m) == 0 {
				return cty.MapValEmpty(cty.String)
			}
			vals := make(map[string]cty.Value, len(m))
			for k, v := range m {
				if v == nil {
					vals[k] = cty.NullVal(cty.String)
				} else {
					vals[k] = cty.StringVal(*v)
				}
			}
			return cty.MapVal(vals)
		},
	}
}

// entryAttr is a list whose elements are CSV strings or objects.
func entryAttr[E any](name string, parse func(cty.Value) ([]E, error), set func(*Target, []E), value func(E) cty.Value) *attrCodec {
	return &attrCodec{
		name: name,
		decode: func(v cty.Value) (any, error) {
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
		},
		set: func(t *Target, x any) { l, _ := x.([]E); set(t, l) },
		value: func(x any) cty.Value {
			l, _ := x.([]E)
			vals := make([]cty.Value, len(l))
			for i, e := range l {
				vals[i] = value(e)
			}
			if len(vals) == 0 {
				return cty.EmptyTupleVal
			}
			return cty.TupleVal(vals)
		},
	}
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
