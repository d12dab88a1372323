package main

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/affected"
	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// --affected-since REF keeps the requested targets whose inputs changed
// between REF and the work tree (package affected), and their dependents.

// affectedSince narrows def to the affected targets of the request; with
// none, the definition has no target.
func (a *app) affectedSince(ctx context.Context, o *bakeOptions, l *loaded, def *bake.Definition) (*bake.Definition, error) {
	sel, err := a.selectAffected(ctx, o, l, def)
	if err != nil {
		return nil, err
	}
	if len(sel.Targets) == 0 {
		return &bake.Definition{Groups: []*bake.Group{{Name: "default", Targets: []string{}}}, Granted: def.Granted}, nil
	}
	req := l.req
	req.Targets = sel.Targets
	narrowed, diags, err := resolveDef(ctx, l.cfg, req)
	if err != nil {
		return nil, err
	}
	if err := l.printer.print(diags); err != nil {
		return nil, err
	}
	return narrowed, nil
}

// affectedList is the targets --list shows with --affected-since: every
// target of the definition that is affected.
func (a *app) affectedList(ctx context.Context, o *bakeOptions, l *loaded) (map[string]bool, error) {
	var names []string
	for _, n := range l.cfg.TargetNames() {
		if !strings.HasPrefix(n, "_") {
			names = append(names, n)
		}
	}
	req, err := a.bakeRequest(o, l, false)
	if err != nil {
		return nil, err
	}
	req.Targets, req.StatFile = names, nil
	l.req = req
	def, diags, err := resolveDef(ctx, l.cfg, req)
	if err != nil {
		return nil, err
	}
	if err := l.printer.print(diags); err != nil {
		return nil, err
	}
	only := map[string]bool{}
	if def == nil {
		return only, nil
	}
	sel, err := a.selectAffected(ctx, o, l, def)
	if err != nil {
		return nil, err
	}
	for _, n := range sel.Targets {
		only[n] = true
	}
	return only, nil
}

func (a *app) selectAffected(ctx context.Context, o *bakeOptions, l *loaded, def *bake.Definition) (*affected.Selection, error) {
	wd, err := a.getwd()
	if err != nil {
		return nil, err
	}
	ch, err := affected.Since(ctx, wd, o.affectedSince)
	var ae *affected.Error
	if errors.As(err, &ae) {
		return nil, usageErrorf("%v", err)
	}
	if err != nil {
		return nil, err
	}
	// Loading and resolving the definition again: stopped by a signal as
	// the first loading is.
	before, err := abandonable(ctx, func() (map[string]string, error) { return a.definitionAt(ctx, ch, l, def), nil })
	if err != nil {
		return nil, err
	}
	sel, err := affected.Select(def, before, ch, wd)
	if err != nil {
		return nil, usageErrorf("--affected-since: %v", err)
	}
	for _, name := range slices.Sorted(maps.Keys(sel.Why)) {
		a.debugf("affected since %s: %s: %s", o.affectedSince, name, sel.Why[name])
	}
	return sel, nil
}

// definitionAt resolves the targets of def from the definition files as
// they were at the revision, and returns each one's definition key; a
// target missing from it was not there, or is not resolved the same way.
// A file that is not in the work tree (stdin, or outside it) is the same
// then as now; one that did not exist then is left out.
func (a *app) definitionAt(ctx context.Context, ch *affected.Changes, l *loaded, def *bake.Definition) map[string]string {
	var files []xhcl.File
	for _, f := range l.files {
		if f.Name == xhcl.StdinName {
			files = append(files, f)
			continue
		}
		data, ok, inTree := ch.Show(ctx, a.path(f.Name))
		switch {
		case !inTree:
			files = append(files, f)
		case ok:
			files = append(files, xhcl.File{Name: f.Name, Data: data})
		}
	}
	out := map[string]string{}
	cfg, _, diags, ok := a.loadConfig(files, l.vars, l.cmdContext, l.allowRead)
	if !ok || diags.HasErrors() {
		// Nothing resolves: every target is new, which the user is told
		// (a CI matrix of every target has a reason).
		why := "they do not load"
		for _, d := range diags {
			if d.Severity == hcl.DiagError {
				why = d.Summary
				if d.Subject != nil {
					why = fmt.Sprintf("%s:%d:%d: %s", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column, why)
				}
				break
			}
		}
		_ = l.printer.print(hcl.Diagnostics{xhcl.Warnf(nil, "Definition at "+ch.Ref+" not read",
			"The bake files as they were at %s cannot be read (%s), so every target counts as affected.", ch.Ref, why)})
		return out
	}
	names := make([]string, len(def.Targets))
	for i, t := range def.Targets {
		names[i] = t.Name
	}
	overrides := overridesAt(cfg, l.req.Overrides)
	resolve := func(names ...string) {
		req := l.req
		req.Targets, req.StatFile, req.Overrides = names, nil, overrides
		then, diags := cfg.Resolve(req)
		if diags.HasErrors() || then == nil {
			return
		}
		for _, t := range then.Targets {
			out[t.Name] = affected.DefinitionKey(t)
		}
	}
	if resolve(l.req.Targets...); len(out) == 0 {
		// Some target or --set pattern is new: one at a time, so that the
		// others still compare.
		for _, n := range names {
			resolve(n)
		}
	}
	return out
}

// overridesAt are the --set flags that match a target of cfg, the
// definition at the revision. A flag that matches none there (it names a
// target added since) changed nothing then; Resolve would refuse it ("no
// target matches"), and every target would count as new.
func overridesAt(cfg *bake.Config, flags []string) []string {
	var out []string
	for _, f := range flags {
		if cfg.SetMatches(f) {
			out = append(out, f)
		}
	}
	return out
}
