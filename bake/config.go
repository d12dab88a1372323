package bake

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/schema"
)

// Options are the inputs of loading that do not come from the files.
type Options struct {
	// Vars are --var NAME=value overrides.
	Vars map[string]string
	// LookupEnv reads environment variables that override same-named
	// variables; nil disables the lookup.
	LookupEnv func(string) (string, bool)
	// Builtins are BAKE_CMD_CONTEXT and BAKE_LOCAL_PLATFORM.
	Builtins map[string]string
	// Compose are targets and groups read from Compose files. They are the
	// first layer of every target of the same name: HCL and JSON always
	// override them, whatever the file order, as in buildx.
	Compose *ComposeConfig
}

// ComposeConfig is what Compose files define.
type ComposeConfig struct {
	Targets []*Target
	Groups  []*Group
}

// Config is a loaded bake definition. Targets are indexed by name when it
// is loaded (which evaluates matrices and names) but decoded only when
// asked for, so resolving one target of a large file stays cheap.
type Config struct {
	ev *xhcl.Evaluator

	targets map[string][]*instance // by name, in declaration order
	// blocks are the target blocks in declaration order, with the names
	// of their targets once expanded; pending are the matrix blocks not
	// expanded yet, with the literal prefix of their names.
	blocks       []*hcl.Block
	blockNames   map[*hcl.Block][]string
	pending      map[*hcl.Block]string
	matrixLabels map[string]bool
	lazyDiags    hcl.Diagnostics
	loaded       bool
	composeNames []string

	groups         map[string]*Group
	groupNames     []string // group blocks and Compose groups, in order
	generatedNames []string // matrix label groups made after loading

	// compose are the targets of Compose files, the first layer of any
	// target of the same name.
	compose       map[string]*Target
	composeGroups []*Group

	// testBlocks are the test blocks, decoded by Tests (test.go).
	testBlocks []*hcl.Block

	// broken are names of blocks that failed to load: referring to them is
	// not another error.
	broken map[string]bool

	values map[instKey]attrResult

	expanded int // targets made by matrices so far (MaxMatrixTotal)
}

// instance is one target of a block: the block itself, or one combination
// of its matrix.
type instance struct {
	block     *hcl.Block
	attrs     hcl.Attributes
	locals    map[string]cty.Value
	name      string
	nameRange hcl.Range
}

type instKey struct {
	inst *instance
	attr string
}

type attrResult struct {
	x     any // the decoded Go value; nil when unset or invalid
	ok    bool
	diags hcl.Diagnostics
}

var namePattern = regexp.MustCompile(`^[a-zA-Z0-9_-]+$`)

// targetSchema and groupSchema list every attribute the blocks accept.
var (
	targetSchema = schema.Target.BodySchema()
	groupSchema  = schema.Group.BodySchema()
)

// Load reads parsed bake files. It returns every problem it finds; the
// Config is usable for what did load when there are errors, but callers
// should not build from it.
func Load(files []*hcl.File, opts Options) (*Config, hcl.Diagnostics) {
	ev, diags := xhcl.New(files, xhcl.Options{
		Vars:       opts.Vars,
		LookupEnv:  opts.LookupEnv,
		Builtins:   opts.Builtins,
		BlockTypes: []string{"target", "group"},
		// xbake's own blocks, which buildx skips (test.go).
		OtherBlocks: []string{testBlockType},
	})
	c := &Config{
		ev:      ev,
		targets: map[string][]*instance{},
		groups:  map[string]*Group{},
		broken:  map[string]bool{},

		blockNames:   map[*hcl.Block][]string{},
		pending:      map[*hcl.Block]string{},
		matrixLabels: map[string]bool{},
		values:       map[instKey]attrResult{},
	}
	ev.SetBlockRefs(c)
	c.addCompose(opts.Compose)

	for _, b := range ev.Blocks() {
		if !namePattern.MatchString(b.Labels[0]) {
			diags = append(diags, invalidName(b.Labels[0], b.LabelRanges[0]))
			continue
		}
		switch b.Type {
		case "target":
			c.blocks = append(c.blocks, b)
			if prefix, ok := matrixPrefix(b); ok {
				// Expanded on demand: a matrix of thousands of targets costs
				// nothing until a name it could produce is asked for.
				c.pending[b] = prefix
				c.matrixLabels[b.Labels[0]] = true
				continue
			}
			diags = append(diags, c.expandBlock(b)...)
		case "group":
			g, d := c.decodeGroup(b)
			diags = append(diags, d...)
			if g == nil {
				c.broken[b.Labels[0]] = true
			}
			if g != nil {
				if _, ok := c.groups[g.Name]; !ok {
					c.groupNames = append(c.groupNames, g.Name)
				}
				// The last group block of a name replaces earlier ones.
				c.groups[g.Name] = g
			}
		}
	}
	// An HCL group replaces a Compose group of the same name: buildx
	// decodes HCL blocks into the Compose config, and groups do not merge.
	for _, g := range c.composeGroups {
		if _, ok := c.groups[g.Name]; ok {
			continue
		}
		c.groups[g.Name] = g
		c.groupNames = append(c.groupNames, g.Name)
	}
	// Read only when asked for (Tests): --print and --list, like buildx,
	// ignore them.
	c.testBlocks = testBlocks(files)
	c.loaded = true
	diags = append(diags, ev.ResolveGlobals()...)
	return c, diags
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

func invalidName(name string, rng hcl.Range) *hcl.Diagnostic {
	return xhcl.Errorf(&rng, "Invalid name",
		"%q is not a valid name: only letters, digits, \"_\" and \"-\" are allowed ([a-zA-Z0-9_-]+).", name)
}

// Variables returns the declared variables with their values.
func (c *Config) Variables() []xhcl.VariableInfo { return c.ev.Variables() }

func (c *Config) decodeGroup(b *hcl.Block) (*Group, hcl.Diagnostics) {
	content, _, diags := b.Body.PartialContent(groupSchema)
	if diags.HasErrors() {
		return nil, diags
	}
	for _, s := range schema.Group.Attrs {
		if a, ok := content.Attributes[s.Name]; ok && s.Unsupported != "" {
			diags = append(diags, xhcl.Errorf(&a.NameRange, "Unsupported argument",
				"%s; only targets and description are.", s.Unsupported))
		}
	}
	g := &Group{Name: b.Labels[0], DeclRange: b.LabelRanges[0], Targets: []string{}}
	a := content.Attributes["targets"]
	v, d := c.ev.Eval(a.Expr, nil)
	diags = append(diags, d...)
	if !d.HasErrors() {
		x, err := decodeStringList(v)
		if err != nil {
			diags = append(diags, xhcl.Errorf(a.Expr.Range().Ptr(), "Invalid group targets", "The targets of group %q: %s.", g.Name, err))
		} else if l, ok := x.([]string); ok {
			g.Targets = l
			g.targetRanges = map[string]hcl.Range{}
			if exprs, d := hcl.ExprList(a.Expr); !d.HasErrors() && len(exprs) == len(l) {
				for i, e := range exprs {
					g.targetRanges[l[i]] = e.Range()
				}
			}
		}
	}
	if a, ok := content.Attributes["description"]; ok {
		v, d := c.ev.Eval(a.Expr, nil)
		diags = append(diags, d...)
		if s, err := toString(v); err == nil && s != nil {
			g.Description = *s
		}
	}
	g.Targets = dedupeStrings(g.Targets)
	return g, diags
}

// TargetNames returns the names of all targets (matrix instances by their
// generated names), in declaration order.
func (c *Config) TargetNames() []string {
	c.expandAll()
	seen := map[string]bool{}
	var names []string
	for _, n := range c.composeNames {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	for _, b := range c.blocks {
		for _, n := range c.blockNames[b] {
			if !seen[n] {
				seen[n] = true
				names = append(names, n)
			}
		}
	}
	return names
}

// GroupNames returns the names of all groups: group blocks and Compose
// groups in declaration order, then the groups of matrix labels.
func (c *Config) GroupNames() []string {
	c.expandAll()
	return append(slices.Clone(c.groupNames), c.generatedNames...)
}

// Group returns the group named name, or nil.
func (c *Config) Group(name string) *Group {
	c.expandLabel(name)
	return c.groups[name]
}

// instances returns the instances of the target named name, expanding
// the matrices that could produce it first.
func (c *Config) instances(name string) []*instance {
	c.expandFor(name)
	return c.targets[name]
}

// takeLazyDiags returns the diagnostics of matrices expanded on demand
// since the last call.
func (c *Config) takeLazyDiags() hcl.Diagnostics {
	d := c.lazyDiags
	c.lazyDiags = nil
	return d
}

// BlockRef implements xhcl.BlockRefs: target.NAME.ATTR and group.NAME.ATTR.
func (c *Config) BlockRef(typ, name, attr string, rng hcl.Range) (cty.Value, hcl.Diagnostics) {
	if typ == "group" {
		return c.groupRef(name, attr, rng)
	}
	insts := c.instances(name)
	if len(insts) == 0 {
		return cty.DynamicVal, hcl.Diagnostics{c.unknownTarget(name, rng)}
	}
	if attr == "name" {
		return cty.StringVal(name), nil
	}
	if attr == "" {
		obj := map[string]cty.Value{"name": cty.StringVal(name)}
		var diags hcl.Diagnostics
		for _, a := range targetAttrs {
			v, d := c.BlockRef(typ, name, a.name, rng)
			diags = append(diags, d...)
			obj[a.name] = v
		}
		return cty.ObjectVal(obj), diags
	}
	a, ok := attrByName[attr]
	if !ok {
		detail := fmt.Sprintf("Targets have no attribute %q.", attr)
		if s := xhcl.Suggest(attr, TargetAttributes); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		return cty.DynamicVal, hcl.Diagnostics{xhcl.Errorf(&rng, "Unsupported attribute", "%s", detail)}
	}
	// The value is the attribute as the last block of that name writes it,
	// before inherits and --set.
	var x any
	for _, in := range insts {
		if _, ok := in.attrs[attr]; !ok {
			continue
		}
		r := c.attr(in, attr, rng, true)
		if !r.ok {
			return cty.DynamicVal, r.diags
		}
		x = r.x
	}
	return a.value(x), nil
}

func (c *Config) groupRef(name, attr string, rng hcl.Range) (cty.Value, hcl.Diagnostics) {
	g := c.Group(name)
	if g == nil {
		detail := fmt.Sprintf("There is no group named %q.", name)
		if s := xhcl.Suggest(name, c.GroupNames()); s != "" {
			detail += fmt.Sprintf(" Did you mean %q?", s)
		}
		return cty.DynamicVal, hcl.Diagnostics{xhcl.Errorf(&rng, "Unknown group", "%s", detail)}
	}
	targets := cty.ListValEmpty(cty.String)
	if len(g.Targets) > 0 {
		vals := make([]cty.Value, len(g.Targets))
		for i, t := range g.Targets {
			vals[i] = cty.StringVal(t)
		}
		targets = cty.ListVal(vals)
	}
	obj := map[string]cty.Value{
		"name":        cty.StringVal(g.Name),
		"description": cty.StringVal(g.Description),
		"targets":     targets,
	}
	if attr == "" {
		return cty.ObjectVal(obj), nil
	}
	v, ok := obj[attr]
	if !ok {
		return cty.DynamicVal, hcl.Diagnostics{xhcl.Errorf(&rng, "Unsupported attribute",
			"Groups have no attribute %q; use targets or description.", attr)}
	}
	return v, nil
}

func (c *Config) unknownTarget(name string, rng hcl.Range) *hcl.Diagnostic {
	detail := fmt.Sprintf("There is no target named %q.", name)
	if s := xhcl.Suggest(name, c.TargetNames()); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	}
	return xhcl.Errorf(&rng, "Unknown target", "%s", detail)
}

// attr evaluates and decodes one attribute of an instance. rng is where it
// was asked for, for cycle errors. Values asked for by references
// (keep) are cached, since many targets may read them; decoding a whole
// target reuses a cached value but does not cache its own.
func (c *Config) attr(in *instance, name string, rng hcl.Range, keep bool) attrResult {
	key := instKey{in, name}
	if r, ok := c.values[key]; ok {
		// Diagnostics are reported by the first caller only.
		return attrResult{x: r.x, ok: r.ok}
	}
	ref := fmt.Sprintf("target.%s.%s", in.name, name)
	if path := c.ev.Enter(ref); path != nil {
		return attrResult{diags: hcl.Diagnostics{xhcl.Errorf(&rng, "Reference cycle",
			"The value of %s depends on itself: %s. Break the cycle by writing one of them without the reference.",
			ref, strings.Join(path, " -> "))}}
	}
	a := in.attrs[name]
	v, diags := c.ev.Eval(a.Expr, in.locals)
	c.ev.Leave()

	r := attrResult{diags: diags}
	if !diags.HasErrors() && v.IsWhollyKnown() {
		x, err := attrByName[name].decode(v)
		if err != nil {
			r.diags = append(r.diags, attrError(in, a, err))
		} else {
			r.x, r.ok = x, true
		}
	}
	if keep {
		c.values[key] = r
	}
	return r
}

// attrError turns a decoding error into a diagnostic on the attribute, or
// on the element at fault when the value was written as a literal list.
func attrError(in *instance, a *hcl.Attribute, err error) *hcl.Diagnostic {
	rng := a.Expr.Range()
	if ee, ok := err.(*elemError); ok {
		if exprs, d := hcl.ExprList(a.Expr); !d.HasErrors() && ee.index < len(exprs) {
			rng = exprs[ee.index].Range()
		}
	}
	return xhcl.Errorf(&rng, "Invalid value for "+a.Name,
		"The value of %s in target %q is invalid: %s.", a.Name, in.name, err)
}

func (c *Config) addCompose(cc *ComposeConfig) {
	if cc == nil {
		return
	}
	c.compose = map[string]*Target{}
	for _, t := range cc.Targets {
		if _, ok := c.compose[t.Name]; !ok {
			c.composeNames = append(c.composeNames, t.Name)
		}
		c.compose[t.Name] = t
	}
	c.composeGroups = cc.Groups
}

// hasTarget reports whether a target of that name is declared, in HCL,
// JSON or Compose.
func (c *Config) hasTarget(name string) bool {
	_, composed := c.compose[name]
	return len(c.instances(name)) > 0 || composed
}
