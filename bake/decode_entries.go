package bake

import (
	"fmt"

	"github.com/zclconf/go-cty/cty"
)

// The entry attributes (output, cache-from, cache-to, attest, secret, ssh,
// policy) and resources: from evaluated values to the model, and back to
// values for target.NAME.ATTR references.

// stringMap turns an object or map element into string attributes; null
// attributes are skipped, numbers and bools become strings.
func stringMap(v cty.Value) (map[string]string, error) {
	if !isMap(v) {
		return nil, fmt.Errorf("a string or an object is required, not %s", friendly(v))
	}
	out := map[string]string{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() || !ev.IsKnown() {
			continue
		}
		s, err := toString(ev)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", k.AsString(), err)
		}
		out[k.AsString()] = *s
	}
	return out, nil
}

func parseExportValue(v cty.Value) ([]*Export, error) {
	if v.Type() == cty.String {
		e, err := ParseExport(v.AsString())
		return []*Export{e}, err
	}
	m, err := stringMap(v)
	if err != nil {
		return nil, err
	}
	e, err := exportFromMap(m)
	return []*Export{e}, err
}

func parseCacheValue(v cty.Value) ([]*CacheEntry, error) {
	if v.Type() == cty.String {
		return ParseCacheEntries(v.AsString())
	}
	m, err := stringMap(v)
	if err != nil {
		return nil, err
	}
	c, err := cacheFromMap(m)
	return []*CacheEntry{c}, err
}

func parseAttestValue(v cty.Value) ([]*Attest, error) {
	if v.Type() == cty.String {
		a, err := ParseAttest(v.AsString())
		return []*Attest{a}, err
	}
	m, err := stringMap(v)
	if err != nil {
		return nil, err
	}
	a, err := attestFromMap(m)
	return []*Attest{a}, err
}

func parseSecretValue(v cty.Value) ([]*Secret, error) {
	if v.Type() == cty.String {
		s, err := ParseSecret(v.AsString())
		return []*Secret{s}, err
	}
	m, err := stringMap(v)
	if err != nil {
		return nil, err
	}
	s := &Secret{}
	for k, val := range m {
		switch k {
		case "id":
			s.ID = val
		case "src":
			s.FilePath = val
		case "env":
			s.Env = val
		default:
			return nil, fmt.Errorf("unexpected attribute %q in a secret: use id, src or env", k)
		}
	}
	return []*Secret{s}, nil
}

func parseSSHValue(v cty.Value) ([]*SSH, error) {
	if v.Type() == cty.String {
		return []*SSH{ParseSSH(v.AsString())}, nil
	}
	if !isMap(v) {
		return nil, fmt.Errorf("a string or an object is required, not %s", friendly(v))
	}
	s := &SSH{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			continue
		}
		switch k.AsString() {
		case "id":
			id, err := toString(ev)
			if err != nil {
				return nil, fmt.Errorf("id: %w", err)
			}
			s.ID = *id
		case "paths":
			l, err := decodeStringList(ev)
			if err != nil {
				return nil, fmt.Errorf("paths: %w", err)
			}
			s.Paths, _ = l.([]string)
		default:
			return nil, fmt.Errorf("unexpected attribute %q in an ssh entry: use id or paths", k.AsString())
		}
	}
	return []*SSH{s}, nil
}

func parsePolicyValue(v cty.Value) ([]*Policy, error) {
	if v.Type() == cty.String {
		p, err := ParsePolicy(v.AsString())
		return []*Policy{p}, err
	}
	if !isMap(v) {
		return nil, fmt.Errorf("a string or an object is required, not %s", friendly(v))
	}
	var fields []string
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() || !ev.IsKnown() || (ev.Type() == cty.String && ev.AsString() == "") {
			continue
		}
		switch ev.Type() {
		case cty.String:
			fields = append(fields, k.AsString()+"="+ev.AsString())
		case cty.Bool:
			fields = append(fields, fmt.Sprintf("%s=%t", k.AsString(), ev.True()))
		case cty.Number:
			fields = append(fields, k.AsString()+"="+ev.AsBigFloat().Text('f', -1))
		default:
			return nil, fmt.Errorf("%q: a string is required, not %s", k.AsString(), friendly(ev))
		}
	}
	p, err := policyFromFields(fields)
	return []*Policy{p}, err
}

func mapValue(m map[string]string) cty.Value {
	vals := make(map[string]cty.Value, len(m))
	for k, v := range m {
		vals[k] = cty.StringVal(v)
	}
	return cty.MapVal(vals)
}

func exportValue(e *Export) cty.Value {
	m := e.Map()
	m["dest"] = e.Dest
	return mapValue(m)
}

func cacheValue(c *CacheEntry) cty.Value { return mapValue(c.Map()) }

func attestValue(a *Attest) cty.Value {
	m := map[string]string{"type": a.Type}
	for k, v := range a.Attrs {
		m[k] = v
	}
	if a.Disabled {
		m["disabled"] = "true"
	}
	return mapValue(m)
}

func secretValue(s *Secret) cty.Value {
	return cty.ObjectVal(map[string]cty.Value{
		"id": cty.StringVal(s.ID), "src": cty.StringVal(s.FilePath), "env": cty.StringVal(s.Env),
	})
}

func sshValue(s *SSH) cty.Value {
	paths := cty.ListValEmpty(cty.String)
	if len(s.Paths) > 0 {
		vals := make([]cty.Value, len(s.Paths))
		for i, p := range s.Paths {
			vals[i] = cty.StringVal(p)
		}
		paths = cty.ListVal(vals)
	}
	return cty.ObjectVal(map[string]cty.Value{"id": cty.StringVal(s.ID), "paths": paths})
}

func policyValue(p *Policy) cty.Value {
	m := map[string]string{}
	if p.Filename != "" {
		m["filename"] = p.Filename
	}
	for k, b := range map[string]*bool{"reset": p.Reset, "disabled": p.Disabled, "strict": p.Strict} {
		if b != nil {
			m[k] = fmt.Sprint(*b)
		}
	}
	if p.LogLevel != "" {
		m["log-level"] = p.LogLevel
	}
	if len(m) == 0 {
		return cty.MapValEmpty(cty.String)
	}
	return mapValue(m)
}
