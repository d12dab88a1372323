package bake

import (
	"regexp"
	"slices"

	"github.com/hashicorp/hcl/v2"
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

	// values are the attributes that references read, evaluated once
	// (Config.attr).
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
