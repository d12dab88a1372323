package bake

import (
	"fmt"
	"strings"

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
	candidates := append(c.TargetNames(), c.GroupNames()...)
	detail := fmt.Sprintf("%s %q: there is no target or group of that name.", what, name)
	if s := xhcl.Suggest(name, candidates); s != "" {
		detail += fmt.Sprintf(" Did you mean %q?", s)
	} else {
		detail += " Run xbake --list targets to see them."
	}
	return xhcl.Errorf(rng, "Unknown target", "%s", detail)
}

// instKey is one attribute of one instance, for Config.values: the
// attributes that references read, evaluated once.
type instKey struct {
	inst *instance
	attr string
}

// attrResult is an evaluated and decoded attribute.
type attrResult struct {
	x     any // the decoded Go value; nil when unset or invalid
	ok    bool
	diags hcl.Diagnostics
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
