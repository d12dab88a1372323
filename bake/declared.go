package bake

import (
	"fmt"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
)

// declared returns target name as its blocks write it: every block (or
// matrix instance) of that name decoded and merged in order, before
// inherits and overrides. ok is false when no target has that name.
//
// Callers must not modify the result. It is not cached: a resolution asks
// for each target once (it caches resolved targets), and keeping every
// decoded target alive would double the memory of a large --print.
func (c *Config) declared(name string) (*Target, bool, hcl.Diagnostics) {
	insts := c.instances(name)
	composed, fromCompose := c.compose[name]
	if len(insts) == 0 && !fromCompose {
		return nil, false, nil
	}
	var diags hcl.Diagnostics
	if len(insts) == 1 && !fromCompose {
		// One block: its decoded target is already what it declares (both
		// are shared and never modified).
		t, d := c.decodeInstance(insts[0])
		return t, true, d
	}
	var out *Target
	if fromCompose {
		out = &Target{Name: name}
		out.Merge(composed)
	}
	for _, in := range insts {
		t, d := c.decodeInstance(in)
		diags = append(diags, d...)
		if out == nil {
			out = &Target{Name: name}
		}
		out.Merge(t)
		out.inherits = append(out.inherits, t.inherits...)
	}
	return out, true, diags
}

// decodeInstance decodes every attribute of one instance.
func (c *Config) decodeInstance(in *instance) (*Target, hcl.Diagnostics) {
	t := &Target{Name: in.name, Source: &Source{DeclRange: in.nameRange, body: in.attrs}}
	var diags hcl.Diagnostics
	for _, a := range targetAttrs {
		ha, ok := in.attrs[a.name]
		if !ok {
			continue
		}
		r := c.attr(in, a.name, ha.Expr.Range(), false)
		diags = append(diags, r.diags...)
		if !r.ok {
			continue
		}
		a.store(t, r.x)
	}
	if a, ok := in.attrs["inherits"]; ok {
		refs, d := c.decodeInherits(in, a)
		diags = append(diags, d...)
		t.inherits = refs
	}
	return t, diags
}

func (c *Config) decodeInherits(in *instance, a *hcl.Attribute) ([]ref, hcl.Diagnostics) {
	v, diags := c.ev.Eval(a.Expr, in.locals)
	if diags.HasErrors() || !v.IsWhollyKnown() {
		return nil, diags
	}
	x, err := decodeStringList(v)
	if err != nil {
		return nil, append(diags, attrError(in, a, err))
	}
	names, _ := x.([]string)
	exprs, d := hcl.ExprList(a.Expr)
	refs := make([]ref, len(names))
	for i, n := range names {
		refs[i] = ref{name: n, rng: a.Expr.Range()}
		if !d.HasErrors() && len(exprs) == len(names) {
			refs[i].rng = exprs[i].Range()
		}
	}
	return refs, diags
}

// unknownTargetAt reports a name that is neither a target nor a group.
func (c *Config) unknownTargetAt(name string, rng *hcl.Range, what string) *hcl.Diagnostic {
	candidates := append(c.TargetNames(), c.groupNames...)
	detail := fmt.Sprintf("%s %q: there is no target or group of that name.", what, name)
	if s := xhcl.Suggest(name, candidates); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	} else {
		detail += " Run xbake --list targets to see them."
	}
	return xhcl.Errorf(rng, "Unknown target", "%s", detail)
}
