package bake

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	xhcl "github.com/xbake/xbake/hcl"
)

// Expressions may read other blocks: target.NAME.ATTR is the attribute as
// the blocks of that name write it (before inherits and --set), and
// group.NAME.ATTR a group's name, description or targets.

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
