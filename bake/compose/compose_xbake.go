package compose

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// The x-bake extension of a Compose build section: which fields it takes
// and how each merges are the attribute table's (bake.ApplyXBake); this
// reads the mapping and reports its problems where they are in the YAML.

func (m *composeMapper) applyXBake(t *bake.Target, ext any) {
	if ext == nil {
		return
	}
	obj, ok := ext.(map[string]any)
	if !ok {
		m.errorf(m.at("", "build", "x-bake"), "Invalid x-bake",
			"Service %q: x-bake must be a mapping of bake fields (tags, platforms, output, ...), not %s.", m.name, bake.YAMLKind(ext))
		return
	}
	fields := bake.XBakeFields()
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(fields, k) {
			rng := m.at("", "build", "x-bake", k)
			detail := fmt.Sprintf("Service %q: x-bake has no field %q, so it is ignored.", m.name, k)
			if s := xhcl.Suggest(k, fields); s != "" {
				detail += fmt.Sprintf(" Did you mean %q?", s)
			} else {
				detail += " The fields are " + strings.Join(fields, ", ") + "."
			}
			m.diags = append(m.diags, xhcl.Warnf(&rng, "Unknown x-bake field", "%s", detail))
		}
	}
	for _, name := range fields {
		v, ok := obj[name]
		if !ok || v == nil {
			continue
		}
		if err := bake.ApplyXBake(t, name, v); err != nil {
			m.errorf(m.at("", "build", "x-bake", name), "Invalid x-bake "+name,
				"Service %q: x-bake %s %s.", m.name, name, err)
			continue
		}
		m.at(name, "build", "x-bake", name)
	}
}
