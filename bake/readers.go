package bake

import "github.com/hashicorp/hcl/v2"

// What a reader of another definition format (package bake/compose)
// needs to build targets and groups by bake's own rules.

// ValidName reports whether name can name a target or a group.
func ValidName(name string) bool { return namePattern.MatchString(name) }

// AddTarget appends a member to g, written at rng (errors about the
// member point there).
func (g *Group) AddTarget(name string, rng hcl.Range) {
	if g.targetRanges == nil {
		g.targetRanges = map[string]hcl.Range{}
	}
	g.Targets = append(g.Targets, name)
	g.targetRanges[name] = rng
}
