package schema

// PrintSchema returns the JSON Schema of the --print output, indented by
// two spaces with a trailing newline. --print shows resolved targets in
// normalised form: entries are objects (output and cache entries are
// string maps with a "type"), args and labels are string maps without
// nulls, pull and no-cache are booleans, and name, matrix and inherits
// are gone. context and dockerfile are always present.
func PrintSchema() ([]byte, error) {
	g := &printSchema{}
	g.defs.set("group", nil) // the blocks first, then the entries they use
	g.defs.set("target", nil)
	g.defs.set("group", g.body(Group))
	g.defs.set("target", g.body(Target))

	names := object{{"pattern", NamePattern}}
	props := object{}
	props.set("group", object{
		{"description", "Groups traversed while resolving the requested names, by name, plus a \"default\" group listing the requested names (sorted)."},
		{"type", "object"},
		{"propertyNames", names},
		{"additionalProperties", ref("group")},
	})
	props.set("target", object{
		{"description", "Every target that would be built, by name, including targets that others use through target:<name> contexts."},
		{"type", "object"},
		{"propertyNames", names},
		{"additionalProperties", ref("target")},
	})

	root := object{}
	root.set("$schema", draft)
	root.set("title", "Bake --print output")
	root.set("description", "The resolved definition that xbake --print writes, the same JSON as docker buildx bake --print. It is itself a valid JSON bake file.")
	root.set("type", "object")
	root.set("properties", props)
	root.set("required", []string{"target"})
	root.set("additionalProperties", false)
	root.set("$defs", g.defs)
	return render(root)
}

type printSchema struct {
	defs object
}

func (g *printSchema) body(b *Block) object {
	o := object{{"description", b.Description}, {"type", "object"}}
	props := object{}
	var required []string
	for _, a := range b.Attrs {
		if a.NoPrint || a.Unsupported != "" {
			continue
		}
		props.set(a.Name, append(object{{"description", attrDescription(a)}}, g.value(a.Type)...))
		if a.Required || a.Default != "" {
			required = append(required, a.Name)
		}
	}
	o.set("properties", props)
	if len(required) > 0 {
		o.set("required", required)
	}
	return o.set("additionalProperties", false)
}

// value is the normalised form of a value of type t.
func (g *printSchema) value(t Type) object {
	switch t.Kind {
	case KindString, KindTypeExpr, KindIdent:
		if len(t.Enum) > 0 {
			return object{{"type", "string"}, {"enum", t.Enum}}
		}
		return object{{"type", "string"}}
	case KindBool:
		return object{{"type", "boolean"}}
	case KindNumber:
		return object{{"type", "number"}}
	case KindList:
		return object{{"type", "array"}, {"items", g.value(*t.Elem)}}
	case KindMap:
		return object{{"type", "object"}, {"additionalProperties", g.value(*t.Elem)}}
	case KindObject:
		return append(object{{"type", "object"}}, g.fields(t)...)
	case KindEntry:
		if g.defs.has(t.Name) {
			return ref(t.Name)
		}
		desc := "A " + t.Name + " entry, normalised to an object."
		g.defs.set(t.Name, append(object{{"description", desc}, {"type", "object"}}, g.fields(t)...))
		return ref(t.Name)
	}
	return object{}
}

func (g *printSchema) fields(t Type) object {
	props := object{}
	var required []string
	for _, f := range t.Fields {
		props.set(f.Name, append(object{{"description", f.Description}}, g.value(f.Type)...))
		if f.Required {
			required = append(required, f.Name)
		}
	}
	o := object{{"properties", props}}
	if len(required) > 0 {
		o.set("required", required)
	}
	if t.Extra == ExtraAttrs {
		return o.set("additionalProperties", object{{"type", "string"}})
	}
	return o.set("additionalProperties", false)
}
