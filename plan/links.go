package plan

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	xhcl "github.com/xbake/xbake/hcl"
)

// targetPrefix marks a named context that is another target's result.
const targetPrefix = "target:"

// resolveLinks fills ti.links from the `target:` contexts of ti, in context
// name order, reporting links to nothing, to an unknown target or to the
// target itself. These rules, the cycles and the platforms of links are
// decided here only (package bake follows links to add the targets they
// need, and checks nothing); an unknown name is reported by bake first,
// as it cannot add a target that is not declared.
func (b *builder) resolveLinks(ti *tinfo) {
	t := ti.t
	for _, name := range slices.Sorted(maps.Keys(t.Contexts)) {
		depName, ok := strings.CutPrefix(t.Contexts[name], targetPrefix)
		if !ok {
			continue
		}
		rng := t.ElemRange("contexts", name)
		dep := b.byName[depName]
		switch {
		case depName == "":
			b.errorf(rng, "Invalid context", `Context %q of target %q is "target:" without a target name. `+
				`Write "target:<name>" with the name of the target whose result it should receive.`, name, t.Name)
		case dep == ti:
			b.errorf(rng, "Self-referencing context", `Context %q of target %q is %q, the target itself. `+
				`A target cannot be built from its own result; point the context at another target or remove it.`,
				name, t.Name, t.Contexts[name])
		case dep == nil:
			detail := `Context %q of target %q refers to target %q, which is not defined.`
			if s := xhcl.Suggest(depName, b.targetNames()); s != "" {
				b.errorf(rng, "Unknown target", detail+` Did you mean %q?`, name, t.Name, depName, targetPrefix+s)
			} else {
				b.errorf(rng, "Unknown target", detail+` Define it, or correct the name.`, name, t.Name, depName)
			}
		default:
			ti.links = append(ti.links, tlink{name: name, dep: dep})
		}
	}
}

func (b *builder) targetNames() []string {
	names := make([]string, len(b.targets))
	for i, ti := range b.targets {
		names[i] = ti.t.Name
	}
	return names
}

// checkLinkPlatforms applies buildx's subset rule: the dependent solve
// app@P receives dep@P, so a dependency with several platforms must have
// every platform of its dependent. A dependency with a single platform
// serves all of them. Unlike buildx, a single-platform dependent is held to
// the rule too, since its platform would be missing at build time anyway.
func (b *builder) checkLinkPlatforms() {
	for _, ti := range b.targets {
		if ti.broken {
			continue
		}
		for _, l := range ti.links {
			dep := l.dep
			if dep.broken || len(dep.plats) == 1 {
				continue
			}
			var missing []string
			byDefault := true
			for _, p := range ti.plats {
				if dep.platformIndex(p.key) < 0 {
					missing = append(missing, p.key)
					byDefault = byDefault && p.def
				}
			}
			if len(missing) == 0 {
				continue
			}
			have := make([]string, len(dep.plats))
			for i, p := range dep.plats {
				have[i] = p.key
			}
			remedy := fmt.Sprintf("remove it from %q", ti.t.Name)
			switch {
			case byDefault || len(missing) == len(ti.plats):
				// Nothing to remove: the platform is the builder's default,
				// or removing would leave the dependent none.
				remedy = fmt.Sprintf("give %q platforms that %q has", ti.t.Name, dep.t.Name)
			case len(missing) > 1:
				remedy = fmt.Sprintf("remove them from %q", ti.t.Name)
			}
			report := xhcl.Errorf
			if b.linksOnly && len(ti.plats) == 1 {
				report = xhcl.Warnf // see CheckLinks
			}
			rng := ti.t.ElemRange("contexts", l.name)
			b.diags = append(b.diags, report(&rng, "Missing platform in dependency",
				`Target %q is built for %s, but its context %q comes from target %q, which is built only for %s. `+
					`A dependency with several platforms must have every platform of its dependent. `+
					`Add %s to the platforms of %q, or %s.`,
				ti.t.Name, quoteList(missing), l.name, dep.t.Name, quoteList(have),
				quoteList(missing), dep.t.Name, remedy))
		}
	}
}

// platformIndex returns the position of the platform with canonical key
// in ti.plats, or -1. Platform lists are short, so a scan beats a map.
func (ti *tinfo) platformIndex(key string) int {
	for i, p := range ti.plats {
		if p.key == key {
			return i
		}
	}
	return -1
}
