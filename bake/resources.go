package bake

import (
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
)

// resourceField is one field of `resources`: a string (a memory size, a
// CPU set) or a whole number (CPU shares, period, quota). The table, in
// buildx's order (--print's key order), drives decoding, --set, merging,
// printing, the value target.NAME.resources reads and the dedup key.
type resourceField struct {
	name string
	str  func(*Resources) **string // nil for a number
	num  func(*Resources) **int64  // nil for a string
}

var resourceFields = []resourceField{
	{name: "memory", str: func(r *Resources) **string { return &r.Memory }},
	{name: "memory-swap", str: func(r *Resources) **string { return &r.MemorySwap }},
	{name: "cpu-shares", num: func(r *Resources) **int64 { return &r.CPUShares }},
	{name: "cpu-period", num: func(r *Resources) **int64 { return &r.CPUPeriod }},
	{name: "cpu-quota", num: func(r *Resources) **int64 { return &r.CPUQuota }},
	{name: "cpuset-cpus", str: func(r *Resources) **string { return &r.CPUSetCPUs }},
	{name: "cpuset-mems", str: func(r *Resources) **string { return &r.CPUSetMems }},
}

func lookupResource(key string) (resourceField, error) {
	for _, f := range resourceFields {
		if f.name == key {
			return f, nil
		}
	}
	names := make([]string, len(resourceFields))
	for i, f := range resourceFields {
		names[i] = f.name
	}
	return resourceField{}, fmt.Errorf("unknown resource %q: use %s", key, strings.Join(names, ", "))
}

func decodeResources(v cty.Value) (any, error) {
	if v.IsNull() {
		return nil, nil
	}
	if !isMap(v) {
		return nil, fmt.Errorf("an object is required, not %s", friendly(v))
	}
	r := &Resources{}
	for it := v.ElementIterator(); it.Next(); {
		k, ev := it.Element()
		if ev.IsNull() {
			continue
		}
		if err := r.set(k.AsString(), ev); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// set sets the field key from an evaluated value.
func (r *Resources) set(key string, v cty.Value) error {
	f, err := lookupResource(key)
	if err != nil {
		return err
	}
	if f.str != nil {
		s, err := toString(v)
		if err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		*f.str(r) = s
		return nil
	}
	n, err := convert.Convert(v, cty.Number)
	if err != nil || n.IsNull() {
		return fmt.Errorf("%s: a whole number is required, not %s", key, friendly(v))
	}
	i, acc := n.AsBigFloat().Int64()
	if acc != big.Exact {
		return fmt.Errorf("%s: a whole number is required, not %s", key, n.AsBigFloat().Text('f', -1))
	}
	*f.num(r) = &i
	return nil
}

// setString sets the field key from a --set value.
func (r *Resources) setString(key, value string) error {
	f, err := lookupResource(key)
	if err != nil {
		return err
	}
	if f.str != nil {
		*f.str(r) = &value
		return nil
	}
	n, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return fmt.Errorf("resources.%s must be a whole number, not %q", key, value)
	}
	*f.num(r) = &n
	return nil
}

// merge returns r with the fields o sets replaced.
func (r *Resources) merge(o *Resources) *Resources {
	m := &Resources{}
	if r != nil {
		*m = *r
	}
	for _, f := range resourceFields {
		if f.str != nil {
			if v := *f.str(o); v != nil {
				*f.str(m) = v
			}
		} else if v := *f.num(o); v != nil {
			*f.num(m) = v
		}
	}
	return m
}

func (r *Resources) writeJSON(w *jsonWriter) {
	w.beginObject()
	for _, f := range resourceFields {
		if f.str != nil {
			w.optStringPtr(f.name, *f.str(r))
		} else {
			w.optIntPtr(f.name, *f.num(r))
		}
	}
	w.endObject()
}

func resourcesValue(x any) cty.Value {
	r, _ := x.(*Resources)
	if r == nil {
		return cty.NullVal(cty.Map(cty.String))
	}
	m := map[string]cty.Value{}
	for _, f := range resourceFields {
		if f.str != nil {
			if s := *f.str(r); s != nil {
				m[f.name] = cty.StringVal(*s)
			}
		} else if n := *f.num(r); n != nil {
			m[f.name] = cty.NumberIntVal(*n)
		}
	}
	return cty.ObjectVal(m)
}

func (k *keyWriter) resources(r *Resources) {
	if r == nil {
		k.nil()
		return
	}
	k.b = append(k.b, 'R')
	for _, f := range resourceFields {
		if f.str != nil {
			k.opt(*f.str(r))
		} else {
			k.optInt(*f.num(r))
		}
	}
}

// MemoryBytes reads the memory sizes of r (memory, memory-swap) as
// BuildKit takes them, for the check at --print and the solve request
// alike: go-units binary sizes ("512m", "1gib"), and -1 for an unlimited
// memory-swap; 0 where a size is not set.
func (r *Resources) MemoryBytes() (memory, swap int64, err error) {
	size := func(name string, v *string) (int64, error) {
		if v == nil || *v == "" {
			return 0, nil
		}
		if name == "memory-swap" && strings.TrimSpace(*v) == "-1" {
			return -1, nil
		}
		b, err := units.RAMInBytes(*v)
		if err != nil {
			return 0, fmt.Errorf("resources.%s %q is not a size", name, *v)
		}
		return b, nil
	}
	if memory, err = size("memory", r.Memory); err != nil {
		return 0, 0, err
	}
	swap, err = size("memory-swap", r.MemorySwap)
	return memory, swap, err
}
