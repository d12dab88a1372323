package schema

// JSON Schema (draft 2020-12) of the JSON bake format, which is HCL's JSON
// syntax: a block type maps labels to bodies, every JSON string is an HCL
// template, and a single-interpolation template ("${VAR}") yields a value
// of any type. So wherever a list, map, bool or number is expected, a
// string holding a template is accepted as well; a plain string is not,
// because buildx would fail to convert it.
//
// Most shapes are written as a list of JSON types with keywords that only
// apply to some of them ("type": ["array", "string"] with "items" and
// "pattern"), rather than anyOf, so validators report the failing keyword
// at the failing value.

const draft = "https://json-schema.org/draft/2020-12/schema"

const (
	// templatePattern finds an HCL template sequence in a string.
	templatePattern = `[$%]\{`
	// boolPattern is what cty converts to a bool, or a template.
	boolPattern = `^(?:true|false|1|0)$|[$%]\{`
	// numberPattern is a decimal number, or a template.
	numberPattern = `^-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$|[$%]\{`
	// identPattern is an HCL identifier (ASCII only).
	identPattern = `^[A-Za-z_][A-Za-z0-9_-]*$`
)

const commentDescription = `Comment: HCL JSON ignores the "//" key of a body.`

// JSONSchema returns the JSON Schema of the JSON bake format
// (docker-bake.json, xbuild.json), indented by two spaces with a trailing
// newline. It describes the attributes of Target, Group, Variable and
// Function. Unknown target, group and variable attributes validate, since
// buildx ignores them, but are not described.
func JSONSchema() ([]byte, error) {
	g := &bakeSchema{}
	root := object{}
	root.set("$schema", draft)
	root.set("title", "Bake file (JSON)")
	root.set("description", File.Description+
		" This is the JSON form (HCL JSON syntax): every string is an HCL template, so ${...} interpolations and function calls work in any value,"+
		" and a string that is just \"${expr}\" may stand for a list, map, bool or number.")
	root.set("type", "object")
	props := object{}
	props.set("//", object{{"description", commentDescription}})
	for _, b := range File.Blocks {
		props.set(b.Type, g.labelled(b))
	}
	root.set("properties", props)
	root.set("additionalProperties", object{{"description", GlobalAttrDescription}})
	root.set("$defs", g.defs)
	return render(root)
}

type bakeSchema struct {
	defs object
}

func ref(name string) object { return object{{"$ref", "#/$defs/" + name}} }

// labelled is a labelled block type: an object from label to bodies, or
// an array of such objects.
func (g *bakeSchema) labelled(b *Block) object {
	blocks := g.blocks(b)
	byLabel := func() object {
		o := object{}
		if b.LabelPattern != "" {
			o.set("propertyNames", object{{"pattern", b.LabelPattern}})
		}
		return o.set("additionalProperties", blocks)
	}
	o := object{{"description", b.Description}, {"type", []string{"object", "array"}}}
	o = append(o, byLabel()...)
	return o.set("items", append(object{{"type", "object"}}, byLabel()...))
}

// blocks defines b's body, and the value that holds its blocks for one
// set of labels: a body, or an array of bodies (several blocks of the
// same type and labels). It returns a reference to the latter.
func (g *bakeSchema) blocks(b *Block) object {
	name := b.Type + "-blocks"
	if g.defs.has(b.Type) {
		return ref(name)
	}
	g.defs.set(b.Type, nil) // keeps the body first, and b from recursing
	g.defs.set(name, object{
		{"description", "One " + b.Type + " block body, or an array of bodies."},
		{"type", []string{"object", "array"}},
		{"$ref", "#/$defs/" + b.Type},
		{"items", object{{"type", "object"}, {"$ref", "#/$defs/" + b.Type}}},
	})
	g.defs.set(b.Type, g.body(b))
	return ref(name)
}

// body has no "type" of its own: bodies applies it to objects and arrays.
func (g *bakeSchema) body(b *Block) object {
	o := object{{"description", b.Description}}
	props := object{}
	props.set("//", object{{"description", commentDescription}})
	var required []string
	for _, a := range b.Attrs {
		props.set(a.Name, g.attr(a))
		if a.Required {
			required = append(required, a.Name)
		}
	}
	for _, c := range b.Blocks {
		props.set(c.Type, append(object{{"description", c.Description}}, g.blocks(c)...))
	}
	o.set("properties", props)
	if len(required) > 0 {
		o.set("required", required)
	}
	if b.Extra == ExtraRejected {
		o.set("additionalProperties", false)
	}
	return o
}

func (g *bakeSchema) attr(a *Attr) object {
	if a.Unsupported != "" {
		return object{{"description", a.Unsupported + "."}, {"not", object{}}}
	}
	o := object{{"description", attrDescription(a)}}
	if a.Deprecated != "" {
		o.set("deprecated", true)
	}
	if a.Default != "" {
		o.set("default", a.Default)
	}
	return append(o, g.value(a.Type, !a.Required)...)
}

func attrDescription(a *Attr) string {
	if a.Deprecated != "" {
		return a.Description + " Deprecated: " + a.Deprecated
	}
	return a.Description
}

// value is the schema of a value of type t; nullable admits JSON null,
// which HCL treats as "not set".
func (g *bakeSchema) value(t Type, nullable bool) object {
	types := func(ts ...string) any {
		if nullable {
			ts = append(ts, "null")
		}
		if len(ts) == 1 {
			return ts[0]
		}
		return ts
	}
	switch t.Kind {
	case KindString:
		switch {
		case len(t.Enum) > 0:
			return object{
				{"type", types("string")},
				{"anyOf", []any{object{{"enum", t.Enum}}, object{{"pattern", templatePattern}}}},
			}
		case t.Lenient:
			return object{{"type", types("string", "number", "boolean")}}
		}
		return object{{"type", types("string")}}
	case KindBool:
		return object{{"type", types("boolean", "string")}, {"pattern", boolPattern}}
	case KindNumber:
		return object{{"type", types("number", "string")}, {"pattern", numberPattern}}
	case KindList:
		if t.Elem.Kind == KindIdent {
			// Read statically (hcl.ExprList): a template cannot stand in.
			return object{{"type", "array"}, {"items", g.value(*t.Elem, false)}}
		}
		return object{
			{"type", types("array", "string")},
			{"items", g.value(*t.Elem, false)},
			{"pattern", templatePattern},
		}
	case KindMap:
		return object{
			{"type", types("object", "string")},
			{"additionalProperties", g.value(*t.Elem, t.NullElems)},
			{"pattern", templatePattern},
		}
	case KindObject:
		o := object{{"type", types("object", "string")}}
		o = append(o, g.fields(t)...)
		return o.set("pattern", templatePattern)
	case KindEntry:
		if !g.defs.has(t.Name) {
			o := object{{"description", t.Description}, {"type", []string{"string", "object"}}}
			g.defs.set(t.Name, append(o, g.fields(t)...))
		}
		return ref(t.Name)
	case KindTypeExpr:
		return object{{"type", "string"}}
	case KindIdent:
		return object{{"type", "string"}, {"pattern", identPattern}}
	}
	return object{}
}

// fields are the keywords describing the keys of an object or entry.
func (g *bakeSchema) fields(t Type) object {
	props := object{}
	var required []string
	for _, f := range t.Fields {
		props.set(f.Name, append(object{{"description", f.Description}}, g.value(f.Type, false)...))
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := object{{"properties", props}}
	if len(required) > 0 {
		o.set("required", required)
	}
	switch t.Extra {
	case ExtraAttrs:
		o.set("additionalProperties", object{
			{"description", "Any other attribute, as a string."},
			{"type", []string{"string", "number", "boolean"}},
		})
	case ExtraRejected:
		o.set("additionalProperties", false)
	}
	return o
}
