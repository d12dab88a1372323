package bake

import (
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
)

// Request says what to resolve.
type Request struct {
	// Targets are target or group names, or path.Match globs; empty means
	// "default".
	Targets []string
	// Overrides are --set flags, in command-line order (--push and friends
	// already turned into *.push=true and the like).
	Overrides []string
	// LookupEnv reads the environment for --set t.args.K without a value;
	// nil disables it.
	LookupEnv func(string) (string, bool)
	// SourceDateEpoch is $SOURCE_DATE_EPOCH, injected into every target's
	// args that does not set it.
	SourceDateEpoch string
	// RemoteURL is the git URL the definition was read from, if any: local
	// contexts then point into that repository.
	RemoteURL string
	// DisablePolicy replaces every target's policies with one disabled
	// policy (--policy disabled=true).
	DisablePolicy bool
	// FileRelativePaths rebases local context paths onto the directory of
	// the file that defines them (BUILDX_BAKE_FILE_RELATIVE_PATHS).
	FileRelativePaths bool
	// StatFile checks that a file exists (secret sources), relative to the
	// working directory; nil skips the check.
	StatFile func(string) error
}

// Resolve resolves the requested targets and groups into a Definition:
// groups expanded, inherits merged, overrides applied, `target:` links
// added as Linked targets, and values normalised as buildx does. It
// reports every error it finds.
func (c *Config) Resolve(req Request) (*Definition, hcl.Diagnostics) {
	var diags hcl.Diagnostics
	requested := req.Targets
	if len(requested) == 0 {
		requested = []string{"default"}
	}
	var names []string
	for _, n := range requested {
		// Compose service names may contain dots; buildx maps them to "_".
		n = strings.ReplaceAll(n, ".", "_")
		matched, d := c.matchNames(n)
		diags = append(diags, d...)
		names = append(names, matched...)
	}
	names = dedupeStrings(names)

	ovs, d := c.parseOverrides(req.Overrides, req.LookupEnv)
	diags = append(diags, d...)

	r := newResolver(c, ovs)
	targets := map[string]*Target{}
	groups := map[string]*Group{}
	for _, name := range names {
		ts, gs, d := c.resolveGroup(name)
		diags = append(diags, d...)
		for _, tn := range ts {
			if _, done := targets[tn.name]; done {
				continue
			}
			t, d := r.resolveTarget(tn.name, tn.rng)
			diags = append(diags, d...)
			if t != nil {
				targets[tn.name] = t
			}
		}
		for _, gn := range gs {
			if g := c.Group(gn); g != nil {
				groups[gn] = g.clone()
			}
		}
	}
	// "default" lists what was requested, unless "default" itself is a
	// requested group: then its own targets come first.
	for _, name := range names {
		if _, ok := groups["default"]; ok && name == "default" {
			continue
		}
		if groups["default"] == nil {
			groups["default"] = &Group{Name: "default"}
		}
		groups["default"].Targets = append(groups["default"].Targets, name)
	}
	if g, ok := groups["default"]; ok {
		g.Targets = dedupeStrings(g.Targets)
		sort.Strings(g.Targets)
	}
	// Keep going with the targets that resolved, so one run reports every
	// problem; the definition is only returned when there is none.
	diags = append(diags, r.loadLinks(targets)...)

	def := &Definition{Granted: r.grants.list()}
	for _, name := range slices.Sorted(maps.Keys(targets)) {
		t := targets[name]
		if req.SourceDateEpoch != "" {
			if _, ok := t.Args["SOURCE_DATE_EPOCH"]; !ok {
				t.Args = setNullable(maps.Clone(t.Args), "SOURCE_DATE_EPOCH", req.SourceDateEpoch)
			}
		}
		if req.DisablePolicy {
			disabled := true
			t.Policy = []*Policy{{Disabled: &disabled}}
		}
		if req.FileRelativePaths {
			t.rebasePaths()
		}
		if req.RemoteURL != "" {
			t.rewriteRemote(req.RemoteURL)
		}
		diags = append(diags, t.validate(req.StatFile)...)
		def.Targets = append(def.Targets, t)
	}
	for _, name := range slices.Sorted(maps.Keys(groups)) {
		def.Groups = append(def.Groups, groups[name])
	}
	diags = append(diags, c.takeLazyDiags()...)
	if diags.HasErrors() {
		return nil, diags
	}
	return def, diags
}

type nameRef struct {
	name string
	rng  *hcl.Range // where a group named it; nil for the command line
}

// matchNames expands a requested name: globs match group and target names.
func (c *Config) matchNames(pattern string) ([]string, hcl.Diagnostics) {
	if !strings.ContainsAny(pattern, "*?[]") {
		return []string{pattern}, nil
	}
	var names []string
	for _, n := range append(c.GroupNames(), c.TargetNames()...) {
		if ok, err := path.Match(pattern, n); ok && err == nil {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, hcl.Diagnostics{xhcl.Errorf(nil, "Unknown target",
			"No target or group matches %q. Run xbake --list targets to see them.", pattern)}
	}
	return names, nil
}

// resolveGroup expands a name into the targets it stands for and the
// groups traversed; a name that is no group is a target. A group that
// contains itself is an error (buildx fails on it too, less clearly).
func (c *Config) resolveGroup(name string) ([]nameRef, []string, hcl.Diagnostics) {
	visited := map[string]bool{}
	var targets []nameRef
	var groups, path []string
	// onPath indexes path: searching it at every member made a chain of
	// n groups cost n² (30,000 took 1.2 s, 99,000 20 s).
	onPath := map[string]int{}
	var diags hcl.Diagnostics
	var walk func(name string, rng *hcl.Range)
	walk = func(name string, rng *hcl.Range) {
		g := c.Group(name)
		if g == nil {
			if !c.broken[name] || c.hasTarget(name) {
				targets = append(targets, nameRef{name, rng})
			}
			return
		}
		if i, ok := onPath[name]; ok {
			cycle := append(slices.Clone(path[i:]), name)
			diags = append(diags, xhcl.Errorf(rng, "Group cycle",
				"Group %q contains itself: %s. Remove one of these members.", name, strings.Join(cycle, " -> ")))
			return
		}
		if visited[name] {
			return
		}
		visited[name] = true
		groups = append(groups, name)
		onPath[name] = len(path)
		path = append(path, name)
		for _, t := range g.Targets {
			var r *hcl.Range
			if tr, ok := g.targetRanges[t]; ok {
				r = &tr
			}
			if t == name {
				// A group may list a target of its own name.
				targets = append(targets, nameRef{t, r})
				continue
			}
			walk(t, r)
		}
		path = path[:len(path)-1]
		delete(onPath, name)
	}
	walk(name, nil)
	return dedupeRefs(targets), dedupeStrings(groups), diags
}

func dedupeRefs(refs []nameRef) []nameRef {
	seen := map[string]bool{}
	out := refs[:0:0]
	for _, r := range refs {
		if !seen[r.name] {
			seen[r.name] = true
			out = append(out, r)
		}
	}
	return out
}

func (g *Group) clone() *Group {
	c := *g
	c.Targets = slices.Clone(g.Targets)
	return &c
}

// resolver resolves targets of one request: its overrides and the grants
// they imply.
type resolver struct {
	c         *Config
	overrides map[string][]*override
	grants    *grants
	// done caches resolved targets (before defaults), shared as parents:
	// they are never modified once stored. It holds only results that do
	// not depend on where resolution started (see target).
	done map[string]*Target
	// cut caches, for the target being resolved from the command line (or
	// a link), the results that an inherits cycle cut short: they hold
	// only for that starting point.
	cut map[string]*Target
	// chain is the chain of targets being resolved, and where each is in
	// it, for cycles.
	chain   []string
	inChain map[string]int
	// reported are the targets whose own diagnostics were returned once,
	// and inheritCycles the inherits cycles warned about.
	reported      map[string]bool
	inheritCycles map[string]bool
}

func newResolver(c *Config, ovs map[string][]*override) *resolver {
	return &resolver{
		c: c, overrides: ovs, grants: &grants{},
		done: map[string]*Target{}, inChain: map[string]int{},
		reported: map[string]bool{}, inheritCycles: map[string]bool{},
	}
}

// resolveTarget resolves one target with its parents, overrides and
// defaults. rng is where it was named (nil: the command line).
func (r *resolver) resolveTarget(name string, rng *hcl.Range) (*Target, hcl.Diagnostics) {
	// buildx resolves each requested target afresh: what a cycle cut
	// short for one starting point does not carry over to the next.
	r.cut = nil
	shared, _, diags := r.target(name, rng)
	if shared == nil {
		return nil, diags
	}
	// The shared result may be a parent of other targets: the caller gets
	// its own struct, and replaces (never mutates) its maps and slices.
	c := *shared
	t := &c
	t.inherits = nil
	if t.Context == nil {
		dot := "."
		t.Context = &dot
	}
	if t.Dockerfile == nil || *t.Dockerfile == "" {
		df := "Dockerfile"
		t.Dockerfile = &df
	}
	return t, diags
}

// target merges the parents of name (each resolved with its own
// overrides), then name itself, then its overrides.
//
// A cycle of inherits is resolved as buildx resolves it: the parent that
// would close the cycle is the target still being resolved, and it
// contributes nothing; a warning names the cycle. The result then
// depends on where resolution started (resolving a in a <-> b drops b's
// edge to a; resolving b drops a's edge to b), so it is cut: kept in
// r.cut for this starting point only. cut reports that.
func (r *resolver) target(name string, rng *hcl.Range) (_ *Target, cut bool, _ hcl.Diagnostics) {
	if t, ok := r.done[name]; ok {
		return t, false, nil
	}
	if t, ok := r.cut[name]; ok {
		return t, true, nil
	}
	if i, ok := r.inChain[name]; ok {
		return nil, true, r.inheritCycle(r.chain[i:], rng)
	}
	r.inChain[name] = len(r.chain)
	r.chain = append(r.chain, name)
	defer func() {
		r.chain = r.chain[:len(r.chain)-1]
		delete(r.inChain, name)
	}()
	decl, ok, diags := r.c.declared(name)
	if !ok && r.c.broken[name] {
		return nil, false, diags // its own error was reported where it is declared
	}
	if !ok {
		what := "The target"
		if rng != nil {
			what = "This names"
		}
		return nil, false, append(diags, r.c.unknownTargetAt(name, rng, what))
	}
	// Merging the parents straight into the result is the same as buildx's
	// merging them into an empty target first: merges are associative.
	t := &Target{Name: name}
	var parentDiags hcl.Diagnostics
	for _, p := range decl.inherits {
		pt, pcut, d := r.target(p.name, &p.rng)
		parentDiags = append(parentDiags, d...)
		cut = cut || pcut
		if pt != nil {
			t.Merge(pt)
		}
	}
	t.Merge(decl)
	if t.Source == nil {
		t.Source = &Source{}
	}
	t.Source.DeclRange = decl.Source.declRange()
	diags = append(diags, t.applyOverrides(r.overrides[name], r.grants)...)
	t.normalize()
	if r.reported[name] {
		// A cut target is resolved again for each starting point; its
		// own problems were reported the first time.
		diags = nil
	}
	r.reported[name] = true
	if cut {
		if r.cut == nil {
			r.cut = map[string]*Target{}
		}
		r.cut[name] = t
	} else {
		r.done[name] = t
	}
	return t, cut, append(parentDiags, diags...)
}

// inheritCycle warns, once per cycle, that the inherits element at rng
// closes the cycle chain -> chain[0] and contributes nothing.
func (r *resolver) inheritCycle(chain []string, rng *hcl.Range) hcl.Diagnostics {
	// Resolving from another member finds the same cycle rotated.
	first := 0
	for i, n := range chain {
		if n < chain[first] {
			first = i
		}
	}
	key := strings.Join(append(slices.Clone(chain[first:]), chain[:first]...), "\x00")
	if r.inheritCycles[key] {
		return nil
	}
	r.inheritCycles[key] = true
	start, last := chain[0], chain[len(chain)-1]
	path := strings.Join(append(slices.Clone(chain), start), " -> ")
	if len(chain) == 1 {
		return hcl.Diagnostics{xhcl.Warnf(rng, "Inheritance cycle",
			"Target %q inherits from itself, which adds nothing; remove %q from its inherits.", start, start)}
	}
	return hcl.Diagnostics{xhcl.Warnf(rng, "Inheritance cycle",
		"Targets inherit from each other: %s. While %q is resolved, %q cannot inherit it back, so this element adds nothing to %q (as in docker buildx bake). Remove one of these inherits.",
		path, start, last, last)}
}

func (g *grants) list() []string {
	var out []string
	out = append(out, g.entitlements...)
	for _, p := range g.fsRead {
		out = append(out, "fs.read="+p)
	}
	for _, p := range g.fsWrite {
		out = append(out, "fs.write="+p)
	}
	return dedupeStrings(out)
}
