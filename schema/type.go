package schema

import (
	"github.com/zclconf/go-cty/cty"
)

// Kind classifies a Type.
type Kind uint8

const (
	// KindAny is any value: a variable's default, a function's result.
	KindAny Kind = iota
	KindString
	KindBool
	KindNumber
	// KindList is a list of Elem.
	KindList
	// KindMap has string keys and Elem values.
	KindMap
	// KindObject has the keys of Fields, each optional.
	KindObject
	// KindEntry is one element of output, cache-from, cache-to, attest,
	// secret, ssh or policy: a CSV string (the CLI flag's form) or an
	// object whose keys are Fields.
	KindEntry
	// KindTypeExpr is a type constraint written as an expression
	// (string, list(string)), read statically rather than evaluated.
	KindTypeExpr
	// KindIdent is a bare identifier, read statically (function params).
	KindIdent
)

// Extra says what becomes of the keys of an object, or the attributes of a
// body, that the schema does not name.
type Extra uint8

const (
	// ExtraIgnored keys are accepted and dropped. buildx does this for
	// unknown target, group and variable attributes, and cty's object
	// conversion does it for unknown keys of secret, ssh and resources.
	ExtraIgnored Extra = iota
	// ExtraAttrs keys are meaningful: exporter and cache attributes of an
	// entry, or the global attributes of a file.
	ExtraAttrs
	// ExtraRejected keys are an error.
	ExtraRejected
)

// Type is the type of an attribute's value. It is richer than cty.Type
// because bake accepts unions (a CSV string or an object) and tolerates
// conversions that a schema should describe.
type Type struct {
	Kind Kind
	// Elem is the element type of a list or map.
	Elem *Type
	// NullElems means a map's values may be null, which bake drops
	// (args, labels, extra-hosts).
	NullElems bool
	// Lenient means numbers and bools are accepted where a string is
	// expected and converted, as buildx documents for args and labels.
	Lenient bool
	// Enum lists the accepted values of a string, when closed.
	Enum []string
	// Fields are the known keys of an object or entry, in order.
	Fields []*Attr
	// Extra says what happens to the other keys of an object or entry.
	Extra Extra
	// Name names an entry or object shape ("output", "resources"); the
	// JSON Schemas define each entry shape once, under this name.
	Name string
	// Description describes an entry or object shape.
	Description string
}

// The scalar types. A Type is a value: copying one is safe.
var (
	Any      = Type{Kind: KindAny}
	String   = Type{Kind: KindString}
	Bool     = Type{Kind: KindBool}
	Number   = Type{Kind: KindNumber}
	TypeExpr = Type{Kind: KindTypeExpr}
	Ident    = Type{Kind: KindIdent}

	// LenientString accepts numbers and bools and converts them.
	LenientString = Type{Kind: KindString, Lenient: true}
)

// List returns the type of a list of elem.
func List(elem Type) Type { return Type{Kind: KindList, Elem: &elem} }

// Map returns the type of a map of elem.
func Map(elem Type) Type { return Type{Kind: KindMap, Elem: &elem} }

// NullableMap returns the type of a map of elem whose values may be null.
func NullableMap(elem Type) Type {
	t := Map(elem)
	t.NullElems = true
	return t
}

// OneOf returns a string type that accepts only values.
func OneOf(values ...string) Type { return Type{Kind: KindString, Enum: values} }

// String renders the type as an HCL-like type expression for docs and
// messages: "list(string)", "map(string)", "string|object".
func (t Type) String() string {
	switch t.Kind {
	case KindString:
		return "string"
	case KindBool:
		return "bool"
	case KindNumber:
		return "number"
	case KindList:
		return "list(" + t.Elem.String() + ")"
	case KindMap:
		return "map(" + t.Elem.String() + ")"
	case KindObject:
		return "object"
	case KindEntry:
		return "string|object"
	case KindTypeExpr:
		return "type"
	case KindIdent:
		return "identifier"
	}
	return "any"
}

// Cty returns the cty type a decoder converts a value to. It is
// cty.DynamicPseudoType for a value decoded by hand: an entry (a string or
// an object), anything holding one or holding Any (a list of entries
// is a tuple of mixed elements, and converting matrix values to one
// element type would change them), and the statically read type
// expressions and identifiers (typeexpr.TypeConstraint,
// hcl.ExprAsKeyword).
func (t Type) Cty() cty.Type {
	switch t.Kind {
	case KindString:
		return cty.String
	case KindBool:
		return cty.Bool
	case KindNumber:
		return cty.Number
	case KindList, KindMap:
		elem := t.Elem.Cty()
		switch {
		case elem.HasDynamicTypes():
			return cty.DynamicPseudoType
		case t.Kind == KindList:
			return cty.List(elem)
		}
		return cty.Map(elem)
	case KindObject:
		attrs := make(map[string]cty.Type, len(t.Fields))
		optional := make([]string, 0, len(t.Fields))
		for _, f := range t.Fields {
			attrs[f.Name] = f.Type.Cty()
			optional = append(optional, f.Name)
		}
		return cty.ObjectWithOptionalAttrs(attrs, optional)
	}
	return cty.DynamicPseudoType
}

// Field returns the field of an object or entry named name, or nil.
func (t Type) Field(name string) *Attr {
	for _, f := range t.Fields {
		if f.Name == name {
			return f
		}
	}
	return nil
}
