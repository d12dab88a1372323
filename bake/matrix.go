package bake

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"

	xhcl "github.com/xbake/xbake/hcl"
)

// MaxMatrix is the most targets one matrix may expand to, and
// MaxMatrixTotal the most all the matrices of a definition may expand to
// (the 5,000-target benchmark file has 4,700). They keep a typo such as
// range(1e6), or many large matrices, from exhausting memory.
const (
	MaxMatrix      = 10000
	MaxMatrixTotal = 50000
)

// expand returns the targets of one target block: the block itself, or one
// per combination of its matrix, named by its name attribute. Combinations
// are in a documented, stable order: keys as written (sorted when the
// matrix is not a literal), the first key varying slowest.
func (c *Config) expand(b *hcl.Block) ([]*instance, hcl.Diagnostics) {
	content, remain, diags := b.Body.PartialContent(targetSchema)
	diags = append(diags, unknownAttributes(b, remain)...)
	diags = append(diags, xhcl.UnknownBlocks(b.Body, targetSchema, "A target holds attributes only")...)
	base := instance{block: b, attrs: content.Attributes, name: b.Labels[0], nameRange: b.LabelRanges[0]}

	nameAttr, hasName := content.Attributes["name"]
	matrixAttr, hasMatrix := content.Attributes["matrix"]
	if !hasMatrix {
		if hasName {
			diags = append(diags, xhcl.Errorf(&nameAttr.NameRange, "Name without matrix",
				"name is only allowed together with matrix, to name each generated target. Remove it, or rename the block label instead."))
		}
		return []*instance{&base}, diags
	}

	keys, values, ok, d := c.matrixAxes(matrixAttr)
	diags = append(diags, d...)
	if !ok {
		return nil, diags
	}
	total := 1
	for _, vs := range values {
		total *= len(vs)
		if total > MaxMatrix {
			return nil, append(diags, xhcl.Errorf(matrixAttr.Expr.Range().Ptr(), "Matrix too large",
				"The matrix of target %q expands to more than %d targets. Split it into several targets or use fewer values.",
				b.Labels[0], MaxMatrix))
		}
	}
	if c.expanded += total; c.expanded > MaxMatrixTotal {
		return nil, append(diags, xhcl.Errorf(matrixAttr.Expr.Range().Ptr(), "Too many targets",
			"The matrices of this definition expand to more than %d targets with the one of target %q. Use fewer or smaller matrices, or split the definition.",
			MaxMatrixTotal, b.Labels[0]))
	}
	if total > 1 && !hasName {
		return nil, append(diags, xhcl.Errorf(&matrixAttr.NameRange, "Missing name for matrix",
			"The matrix of target %q has %d combinations, which need distinct names. Add for example name = %q.",
			b.Labels[0], total, b.Labels[0]+"-"+strings.Join(wrapEach(keys), "-")))
	}

	insts := make([]*instance, 0, total)
	seen := make(map[string]map[string]cty.Value, total)
	for i := 0; i < total; i++ {
		locals := make(map[string]cty.Value, len(keys))
		idx := i
		for k := len(keys) - 1; k >= 0; k-- {
			n := len(values[k])
			locals[keys[k]] = values[k][idx%n]
			idx /= n
		}
		in := base
		in.locals = locals
		if hasName {
			name, ok, d := c.instanceName(b, nameAttr, locals)
			diags = append(diags, d...)
			if !ok {
				continue
			}
			in.name, in.nameRange = name, nameAttr.Expr.Range()
		}
		if prev, dup := seen[in.name]; dup {
			diags = append(diags, xhcl.Errorf(&in.nameRange, "Duplicate target name",
				"The matrix of target %q names both %s and %s %q. Use every matrix key in name so each combination is distinct.",
				b.Labels[0], describeCombo(keys, prev), describeCombo(keys, locals), in.name))
			continue
		}
		seen[in.name] = locals
		insts = append(insts, &in)
	}
	return insts, diags
}

func wrapEach(keys []string) []string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = "${" + k + "}"
	}
	return out
}

func describeCombo(keys []string, locals map[string]cty.Value) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%s", k, shortValue(locals[k]))
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func shortValue(v cty.Value) string {
	if s, err := convert.Convert(v, cty.String); err == nil && s.IsKnown() && !s.IsNull() {
		return s.AsString()
	}
	return v.Type().FriendlyName()
}

// matrixAxes evaluates a matrix into its keys and, per key, its values.
// ok is false when the matrix cannot be expanded.
func (c *Config) matrixAxes(a *hcl.Attribute) (keys []string, values [][]cty.Value, ok bool, diags hcl.Diagnostics) {
	v, diags := c.ev.Eval(a.Expr, nil)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, nil, false, diags
	}
	rng := a.Expr.Range()
	if v.IsNull() || !isMap(v) {
		return nil, nil, false, append(diags, xhcl.Errorf(&rng, "Invalid matrix",
			"The matrix must be a map of lists, such as { go = [\"1.22\", \"1.23\"] }, not %s.", friendly(v)))
	}
	// Keys in the order written when the matrix is a literal, so the
	// combinations read like the file; sorted otherwise.
	valueRanges := map[string]hcl.Range{}
	if pairs, d := hcl.ExprMap(a.Expr); !d.HasErrors() {
		for _, p := range pairs {
			k := hcl.ExprAsKeyword(p.Key)
			if k == "" {
				kv, d := p.Key.Value(nil)
				if d.HasErrors() || kv.Type() != cty.String || kv.IsNull() {
					keys = nil
					break
				}
				k = kv.AsString()
			}
			keys = append(keys, k)
			valueRanges[k] = p.Value.Range()
		}
	}
	if len(keys) != v.LengthInt() {
		keys = keys[:0]
		for it := v.ElementIterator(); it.Next(); {
			k, _ := it.Element()
			keys = append(keys, k.AsString())
		}
	}
	values = make([][]cty.Value, len(keys))
	for i, k := range keys {
		kv := elementOf(v, k)
		if kv.IsNull() || !kv.CanIterateElements() || isMap(kv) {
			r, ok := valueRanges[k]
			if !ok {
				r = rng
			}
			diags = append(diags, xhcl.Errorf(&r, "Invalid matrix",
				"The values of matrix key %q must be a list, not %s.", k, friendly(kv)))
			continue
		}
		for it := kv.ElementIterator(); it.Next(); {
			_, ev := it.Element()
			values[i] = append(values[i], ev)
		}
	}
	return keys, values, !diags.HasErrors(), diags
}

func (c *Config) instanceName(b *hcl.Block, a *hcl.Attribute, locals map[string]cty.Value) (string, bool, hcl.Diagnostics) {
	v, diags := c.ev.Eval(a.Expr, locals)
	if diags.HasErrors() || !v.IsKnown() {
		return "", false, diags
	}
	rng := a.Expr.Range()
	s, err := toString(v)
	if err != nil || s == nil {
		return "", false, append(diags, xhcl.Errorf(&rng, "Invalid name",
			"The name of a matrix target must be a string, not %s.", friendly(v)))
	}
	if !namePattern.MatchString(*s) {
		return "", false, append(diags, xhcl.Errorf(&rng, "Invalid name",
			"The matrix of target %q produced the name %q: only letters, digits, \"_\" and \"-\" are allowed. Wrap it in sanitize(...) to replace other characters.",
			b.Labels[0], *s))
	}
	return *s, true, diags
}

// unknownAttributes warns about attributes a target does not have; buildx
// ignores them silently, which hides typos such as "tag" for "tags".
func unknownAttributes(b *hcl.Block, remain hcl.Body) hcl.Diagnostics {
	attrs, _ := remain.JustAttributes()
	var diags hcl.Diagnostics
	for _, name := range slices.Sorted(maps.Keys(attrs)) {
		a := attrs[name]
		detail := fmt.Sprintf("Targets have no attribute %q; it is ignored.", name)
		if s := xhcl.Suggest(name, TargetAttributes); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		diags = append(diags, xhcl.Warnf(&a.NameRange, "Unknown target attribute", "%s", detail))
	}
	return diags
}

// elementOf returns the value of key k of a map or object.
func elementOf(v cty.Value, k string) cty.Value {
	if v.Type().IsObjectType() {
		return v.GetAttr(k)
	}
	return v.Index(cty.StringVal(k))
}

// expandBlock registers the targets of one target block, and the group a
// matrix label makes of them.
func (c *Config) expandBlock(b *hcl.Block) hcl.Diagnostics {
	delete(c.pending, b)
	insts, diags := c.expand(b)
	if diags.HasErrors() {
		c.broken[b.Labels[0]] = true
	}
	names := make([]string, 0, len(insts))
	for _, in := range insts {
		c.targets[in.name] = append(c.targets[in.name], in)
		names = append(names, in.name)
	}
	c.blockNames[b] = names
	if len(names) > 0 && !(len(names) == 1 && names[0] == b.Labels[0]) {
		c.addGeneratedGroup(&Group{Name: b.Labels[0], Targets: names, DeclRange: b.LabelRanges[0]})
	}
	return diags
}

// addGeneratedGroup makes a matrix label the group of its targets, unless
// a group block of that name exists; two blocks of one label give the
// union.
func (c *Config) addGeneratedGroup(g *Group) {
	if prev, ok := c.groups[g.Name]; ok {
		if prev.generated {
			prev.Targets = dedupeStrings(append(prev.Targets, g.Targets...))
		}
		return
	}
	g.generated = true
	c.groups[g.Name] = g
	if c.loaded {
		c.generatedNames = append(c.generatedNames, g.Name)
	} else {
		c.groupNames = append(c.groupNames, g.Name)
	}
}

// expandFor expands the pending matrices that could produce name.
func (c *Config) expandFor(name string) {
	if len(c.pending) == 0 {
		return // the common case once everything is expanded, on a hot path
	}
	for _, b := range c.blocks {
		if prefix, ok := c.pending[b]; ok && strings.HasPrefix(name, prefix) {
			c.lazyDiags = append(c.lazyDiags, c.expandBlock(b)...)
		}
	}
}

// expandLabel expands the pending matrices of a label, whose group lists
// their targets.
func (c *Config) expandLabel(label string) {
	if !c.matrixLabels[label] {
		return
	}
	for _, b := range c.blocks {
		if _, ok := c.pending[b]; ok && b.Labels[0] == label {
			c.lazyDiags = append(c.lazyDiags, c.expandBlock(b)...)
		}
	}
}

// expandAll expands every pending matrix, for what needs every name.
func (c *Config) expandAll() {
	for _, b := range c.blocks {
		if _, ok := c.pending[b]; ok {
			c.lazyDiags = append(c.lazyDiags, c.expandBlock(b)...)
		}
	}
}

// matrixPrefix says whether a target block has a matrix, and the literal
// start of its name template: every name the block produces starts with it
// ("" when unknown).
func matrixPrefix(b *hcl.Block) (string, bool) {
	sb, ok := b.Body.(*hclsyntax.Body)
	if !ok {
		// JSON: expand eagerly-on-demand with no prefix.
		content, _, _ := b.Body.PartialContent(&hcl.BodySchema{Attributes: []hcl.AttributeSchema{{Name: "matrix"}}})
		_, has := content.Attributes["matrix"]
		return "", has
	}
	if _, has := sb.Attributes["matrix"]; !has {
		return "", false
	}
	name, ok := sb.Attributes["name"]
	if !ok {
		return b.Labels[0], true // unnamed: every instance takes the label
	}
	if t, ok := name.Expr.(*hclsyntax.TemplateExpr); ok && len(t.Parts) > 0 {
		if lit, ok := t.Parts[0].(*hclsyntax.LiteralValueExpr); ok && lit.Val.Type() == cty.String && lit.Val.IsKnown() && !lit.Val.IsNull() {
			return lit.Val.AsString(), true
		}
	}
	return "", true
}
