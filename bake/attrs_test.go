package bake

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/xbake/xbake/schema"
)

// notAttributes are the Target fields that are no attribute of a target
// block, so no column of the attribute table applies to them.
var notAttributes = map[string]string{
	"Name":     "the block label (or the matrix name); it keys the definition",
	"inherits": "consumed by resolution: never merged, set, printed or built",
	"Linked":   "set by resolution on targets built only for a target: context",
	"Source":   "where the values were written, for diagnostics",
}

// Columns an attribute may lack, with why. Everything else must be in
// every column.
var (
	notOverridableFields = map[string]string{
		"Description":      "buildx refuses --set description",
		"DockerfileInline": "buildx refuses --set dockerfile-inline",
	}
	notInSolveKey = map[string]string{
		"Description": "names the result only",
		"Tags":        "names the result only",
		"Outputs":     "places the result only",
		"Platforms":   "plan keys each platform apart",
	}
	// buildxXBake are the fields of buildx's x-bake struct (bake/compose.go);
	// every other attribute has its own Compose key or none.
	buildxXBake = []string{"tags", "cache-from", "cache-to", "secret", "ssh", "platforms",
		"output", "pull", "no-cache", "no-cache-filter", "contexts"}
)

// TestAttributeTable fails when a Target field is missing from a column
// of the attribute table (decode, merge, --set, x-bake, print, dedup key)
// or from schema.Target, unless an exemption above says why. Each column
// is checked by what it does with a sample value, so a row that is there
// but does nothing fails too.
func TestAttributeTable(t *testing.T) {
	fields := reflect.TypeFor[Target]()
	rowOf := map[string]*attribute{} // by Go field name
	for _, a := range targetAttrs {
		f, ok := decodedField(t, a)
		if !ok {
			continue
		}
		if prev, dup := rowOf[f]; dup {
			t.Errorf("rows %q and %q both decode into Target.%s", prev.name, a.name, f)
		}
		rowOf[f] = a
	}
	for i := range fields.NumField() {
		f := fields.Field(i).Name
		a, isRow := rowOf[f]
		_, exempt := notAttributes[f]
		switch {
		case isRow && exempt:
			t.Errorf("Target.%s is in notAttributes, but row %q decodes into it", f, a.name)
		case !isRow && !exempt:
			t.Errorf("Target.%s has no row in the attribute table (bake/attrs.go): add one, and its schema.Target entry", f)
		case isRow:
			t.Run(a.name, func(t *testing.T) { checkRow(t, f, a) })
		}
	}
	for f := range notAttributes {
		if _, ok := fields.FieldByName(f); !ok {
			t.Errorf("notAttributes names Target.%s, which does not exist", f)
		}
	}

	// The table and schema.Target list the same attributes in the same
	// order (schema's coverage test holds that order to buildx's).
	var names []string
	for _, a := range targetAttrs {
		names = append(names, a.name)
	}
	var schemaNames, refused []string
	for _, s := range schema.Target.Attrs {
		switch s.Name {
		case "name", "matrix", "inherits":
		default:
			schemaNames = append(schemaNames, s.Name)
		}
		if !s.Overridable {
			refused = append(refused, s.Name)
		}
	}
	if !slices.Equal(names, schemaNames) {
		t.Errorf("the attribute table and schema.Target differ:\ntable  %q\nschema %q", names, schemaNames)
	}
	slices.Sort(refused)
	said := strings.FieldsFunc(notOverridable, func(r rune) bool { return r == ',' || r == ' ' })
	said = slices.DeleteFunc(said, func(s string) bool { return s == "and" })
	slices.Sort(said)
	if !slices.Equal(said, refused) {
		t.Errorf("the --set error says %q cannot be overridden; schema.Target refuses %q", notOverridable, refused)
	}
	if !slices.Equal(slices.Sorted(slices.Values(xbakeFields)), slices.Sorted(slices.Values(buildxXBake))) {
		t.Errorf("x-bake fields %q, buildx's are %q", xbakeFields, buildxXBake)
	}
}

// decodedField decodes a sample value with a's decode and store columns
// and returns the one Target field it set.
func decodedField(t *testing.T, a *attribute) (string, bool) {
	s := schema.Target.Attr(a.name)
	if s == nil {
		t.Errorf("row %q has no schema.Target attribute", a.name)
		return "", false
	}
	x, err := a.decode(ctySample(s.Type))
	if err != nil {
		t.Errorf("row %q: decoding a sample %s: %v", a.name, s.Type, err)
		return "", false
	}
	var tg Target
	a.store(&tg, x)
	set := setFields(&tg)
	if len(set) != 1 {
		t.Errorf("row %q: decoding a sample sets %q, want one field", a.name, set)
		return "", false
	}
	if v := a.value(x); v.IsNull() {
		t.Errorf("row %q: a decoded sample reads back as null in target.NAME.%s", a.name, a.name)
	}
	return set[0], true
}

// checkRow checks the columns of row a, which decodes into Target.f.
func checkRow(t *testing.T, f string, a *attribute) {
	s := schema.Target.Attr(a.name)
	field, _ := reflect.TypeFor[Target]().FieldByName(f)
	if !fits(field.Type, s.Type) {
		t.Errorf("Target.%s is a %s, schema.Target says %s", f, field.Type, s.Type)
	}
	sample := func() *Target {
		x, _ := a.decode(ctySample(s.Type))
		tg := &Target{}
		a.store(tg, x)
		return tg
	}

	merged := &Target{}
	merged.Merge(sample())
	if !reflect.DeepEqual(merged, sample()) {
		t.Errorf("merge: merging a target that sets only %s into an empty one sets %q, not the same value", a.name, setFields(merged))
	}
	kept := sample()
	kept.Merge(&Target{})
	if !reflect.DeepEqual(kept, sample()) {
		t.Errorf("merge: merging an empty target into one that sets %s changes it (now set: %q)", a.name, setFields(kept))
	}

	w := &jsonWriter{}
	sample().writeJSON(w)
	if !strings.Contains(string(w.buf), `"`+a.name+`":`) {
		t.Errorf("print: a target that sets %s prints %s", a.name, w.buf)
	}
	if s.NoPrint {
		t.Errorf("schema.Target says %s is never printed, but the table prints it", a.name)
	}

	empty := (&Target{}).SolveKey()
	changed := sample().SolveKey() != empty
	if why, exempt := notInSolveKey[f]; exempt {
		if changed || a.key != nil {
			t.Errorf("dedup key: %s changes the key, but notInSolveKey says %q", a.name, why)
		}
	} else if !changed {
		t.Errorf("dedup key: two targets that differ only in %s have the same key: plan would build one for both", a.name)
	}

	setKey := a.name
	if s.SetKey != "" {
		setKey = s.SetKey
	}
	o := &override{key: setKey, value: setSample(s.Type), values: []string{setSample(s.Type)}, flag: setKey}
	if a.setSub {
		o.key += "." + subSample(s.Type)
	}
	tg := &Target{}
	err := tg.applyOverride(o, &grants{})
	if why, exempt := notOverridableFields[f]; exempt {
		if err == nil || a.set != nil || s.Overridable {
			t.Errorf("--set: %s is overridable, but notOverridableFields says %q", a.name, why)
		}
	} else {
		if err != nil {
			t.Errorf("--set %s=%s: %v", o.key, o.value, err)
		} else if got := setFields(tg); !slices.Contains(got, f) {
			t.Errorf("--set %s=%s sets %q, not %s", o.key, o.value, got, f)
		}
		if !s.Overridable {
			t.Errorf("--set: the table overrides %s, schema.Target says it is not overridable", a.name)
		}
	}

	if !slices.Contains(buildxXBake, a.name) {
		if a.xbake != nil {
			t.Errorf("x-bake: the table reads %s from x-bake, buildx's x-bake has no such field", a.name)
		}
		return
	}
	tg = &Target{}
	if err := a.xbake(tg, yamlSample(s.Type)); err != nil {
		t.Errorf("x-bake %s: %v", a.name, err)
	} else if got := setFields(tg); !slices.Equal(got, []string{f}) {
		t.Errorf("x-bake %s sets %q, want %s", a.name, got, f)
	}
}

// setFields lists the Target fields that are not zero.
func setFields(t *Target) []string {
	v := reflect.ValueOf(t).Elem()
	var out []string
	for i := range v.NumField() {
		if !v.Field(i).IsZero() {
			out = append(out, v.Type().Field(i).Name)
		}
	}
	return out
}

// fits says whether a Go field type can hold a schema type.
func fits(g reflect.Type, s schema.Type) bool {
	switch s.Kind {
	case schema.KindString:
		return g.Kind() == reflect.String || g == reflect.TypeFor[*string]()
	case schema.KindBool:
		return g == reflect.TypeFor[*bool]()
	case schema.KindList:
		if s.Elem.Kind == schema.KindEntry {
			return g.Kind() == reflect.Slice && g.Elem().Kind() == reflect.Pointer
		}
		return g.Kind() == reflect.Slice && fits(g.Elem(), *s.Elem)
	case schema.KindMap:
		return g.Kind() == reflect.Map && g.Key().Kind() == reflect.String && fits(g.Elem(), *s.Elem)
	case schema.KindObject:
		return g.Kind() == reflect.Pointer && g.Elem().Kind() == reflect.Struct
	}
	return false
}

// The samples are built from the schema type: a value of the first
// choice, and for an object or entry its first field (an output's type,
// a secret's id).

func ctySample(s schema.Type) cty.Value {
	switch s.Kind {
	case schema.KindString:
		return cty.StringVal(stringSample(s))
	case schema.KindBool:
		return cty.True
	case schema.KindNumber:
		return cty.NumberIntVal(1)
	case schema.KindList:
		return cty.TupleVal([]cty.Value{ctySample(*s.Elem)})
	case schema.KindMap:
		return cty.ObjectVal(map[string]cty.Value{"k": ctySample(*s.Elem)})
	case schema.KindObject, schema.KindEntry:
		f := s.Fields[0]
		return cty.ObjectVal(map[string]cty.Value{f.Name: ctySample(f.Type)})
	}
	return cty.StringVal("x")
}

func stringSample(s schema.Type) string {
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	return "x"
}

// setSample is a --set value; subSample the name after the key of a map
// or object (args.NAME, resources.FIELD).
func setSample(s schema.Type) string {
	switch s.Kind {
	case schema.KindBool:
		return "true"
	case schema.KindList:
		if s.Elem.Kind == schema.KindEntry {
			return s.Elem.Fields[0].Name + "=x"
		}
		return stringSample(*s.Elem)
	}
	return stringSample(s)
}

func subSample(s schema.Type) string {
	if s.Kind == schema.KindObject {
		return s.Fields[0].Name
	}
	return "k"
}

// yamlSample is an x-bake value, as the YAML decoder gives it.
func yamlSample(s schema.Type) any {
	switch s.Kind {
	case schema.KindBool:
		return true
	case schema.KindList:
		return []any{setSample(s)}
	case schema.KindMap:
		return map[string]any{"k": "x"}
	}
	return "x"
}
