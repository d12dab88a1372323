package bake

import (
	"github.com/hashicorp/hcl/v2"
)

// Source records where a target was declared and where each of its
// attributes got its final value. Ranges are zero for values that came
// from --set or defaults.
type Source struct {
	// DeclRange is the block's label (or its `name` attribute for matrix
	// instances).
	DeclRange hcl.Range
	// Attrs maps an attribute name ("platforms", "contexts") to the range of
	// the expression that set it.
	Attrs map[string]hcl.Range
	// Elems maps "attr.index" ("platforms.1") or "attr.key"
	// ("contexts.base") to the range of one element when the value was
	// written as a literal.
	Elems map[string]hcl.Range

	// body are the attributes of an HCL block, shared by all its matrix
	// instances. Their ranges are read from the expressions when asked
	// for: recording them for every block made maps that cost more than
	// the rest of decoding, and few are ever asked for.
	body hcl.Attributes

	// over are the sources merged on top of this one, last on top. Merging
	// stacks them instead of copying maps, and the maps are shared between
	// the instances of one block, so they are never written after decoding.
	over []*Source
	// depth is how many layers of over lie below this one.
	depth int
}

// lookup finds the range of attr, or of its element elem when elem is not
// empty, in the topmost layer that has it.
func (s *Source) lookup(attr, elem string) (hcl.Range, bool) {
	if s == nil {
		return hcl.Range{}, false
	}
	for i := len(s.over) - 1; i >= 0; i-- {
		if r, ok := s.over[i].lookup(attr, elem); ok {
			return r, true
		}
	}
	if elem == "" {
		if r, ok := s.Attrs[attr]; ok {
			return r, true
		}
	} else if len(s.Elems) > 0 {
		if r, ok := s.Elems[attr+"."+elem]; ok {
			return r, true
		}
	}
	if a, ok := s.body[attr]; ok {
		if elem == "" {
			return a.Expr.Range(), true
		}
		return elemRange(a.Expr, elem)
	}
	return hcl.Range{}, false
}

// maxSourceDepth bounds how deep a lookup goes: merging flattens a deeper
// stack into one layer. Along a chain of inherits every lookup would
// otherwise walk the whole chain (quadratic for --plan of a long chain),
// and a ladder of diamonds would be walked once per path.
const maxSourceDepth = 16

// merge returns a source with o stacked on top of s.
func (s *Source) merge(o *Source) *Source {
	if o == nil {
		return s
	}
	var out *Source
	if s == nil {
		out = &Source{DeclRange: o.DeclRange, over: []*Source{o}}
	} else {
		over := make([]*Source, 0, len(s.over)+1)
		out = &Source{DeclRange: s.DeclRange, Attrs: s.Attrs, Elems: s.Elems, body: s.body, over: append(append(over, s.over...), o)}
	}
	out.depth = max(out.depth, o.depth+1)
	for _, l := range out.over {
		out.depth = max(out.depth, l.depth+1)
	}
	if out.depth > maxSourceDepth {
		return out.flatten()
	}
	return out
}

// flatten returns one layer that answers every lookup as s does.
func (s *Source) flatten() *Source {
	f := &Source{DeclRange: s.DeclRange, Attrs: map[string]hcl.Range{}, Elems: map[string]hcl.Range{}}
	s.fill(f, map[*Source]bool{})
	return f
}

// fill adds to f the ranges f lacks, visiting layers in lookup's order
// (topmost first), so the first range found for a key is the one lookup
// returns. A layer shared by several parents is visited once: its first
// visit is the one that counts.
func (s *Source) fill(f *Source, seen map[*Source]bool) {
	if seen[s] {
		return
	}
	seen[s] = true
	for i := len(s.over) - 1; i >= 0; i-- {
		s.over[i].fill(f, seen)
	}
	for k, r := range s.Attrs {
		setIfAbsent(f.Attrs, k, r)
	}
	for k, r := range s.Elems {
		setIfAbsent(f.Elems, k, r)
	}
	for name, a := range s.body {
		setIfAbsent(f.Attrs, name, a.Expr.Range())
		elemRanges(f.Elems, name, a.Expr)
	}
}

func setIfAbsent(m map[string]hcl.Range, k string, r hcl.Range) {
	if _, ok := m[k]; !ok {
		m[k] = r
	}
}

func (s *Source) declRange() hcl.Range {
	if s == nil {
		return hcl.Range{}
	}
	return s.DeclRange
}
