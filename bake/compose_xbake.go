package bake

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	xhcl "github.com/xbake/xbake/hcl"
)

// The x-bake extension of a Compose build section carries the bake fields
// Compose has no key for: the attributes whose x-bake column is set in the
// attribute table. Their values are merged into what the Compose keys
// set: lists are appended and deduplicated, contexts keep the keys Compose
// set, pull and no-cache replace.

// xbakeFields are the keys x-bake accepts, in the table's order.
var xbakeFields = func() []string {
	var names []string
	for _, a := range targetAttrs {
		if a.xbake != nil {
			names = append(names, a.name)
		}
	}
	return names
}()

func (m *composeMapper) applyXBake(t *Target, ext any) {
	if ext == nil {
		return
	}
	obj, ok := ext.(map[string]any)
	if !ok {
		m.errorf(m.at("", "build", "x-bake"), "Invalid x-bake",
			"Service %q: x-bake must be a mapping of bake fields (tags, platforms, output, ...), not %s.", m.name, yamlKind(ext))
		return
	}
	for _, k := range slices.Sorted(maps.Keys(obj)) {
		if !slices.Contains(xbakeFields, k) {
			rng := m.at("", "build", "x-bake", k)
			detail := fmt.Sprintf("Service %q: x-bake has no field %q, so it is ignored.", m.name, k)
			if s := xhcl.Suggest(k, xbakeFields); s != "" {
				detail += fmt.Sprintf(" Did you mean %q?", s)
			} else {
				detail += " The fields are " + strings.Join(xbakeFields, ", ") + "."
			}
			m.diags = append(m.diags, xhcl.Warnf(&rng, "Unknown x-bake field", "%s", detail))
		}
	}
	for _, a := range targetAttrs {
		v, ok := obj[a.name]
		if !ok || v == nil || a.xbake == nil {
			continue
		}
		if err := a.xbake(t, v); err != nil {
			m.errorf(m.at("", "build", "x-bake", a.name), "Invalid x-bake "+a.name,
				"Service %q: x-bake %s %s.", m.name, a.name, err)
			continue
		}
		m.at(a.name, "build", "x-bake", a.name)
	}
}

// appendUnique appends more to list and drops repeats, keeping first
// positions (and, like buildx, empty strings: normalisation drops them).
func appendUnique(list, more []string) []string {
	out := make([]string, 0, len(list)+len(more))
	seen := map[string]bool{}
	for _, s := range slices.Concat(list, more) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// removeDupesFunc is removeDupes for types without an Equal method.
func removeDupesFunc[E any](s []E, eq func(a, b E) bool) []E {
	if len(s) == 0 {
		return nil
	}
	s = slices.Clone(s)
	for i := len(s) - 2; i >= 0; i-- {
		for j := i + 1; j < len(s); j++ {
			if eq(s[i], s[j]) {
				s[j], s[len(s)-1] = s[len(s)-1], s[j]
				s = s[:len(s)-1]
				break
			}
		}
	}
	return s
}

// The x-bake values are decoded as buildx decodes them (YAML into typed
// fields): a list of strings or one whitespace-separated string, a mapping
// of strings, or a boolean.

func yamlStringArray(v any) ([]string, error) {
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, err := yamlScalar(e)
			if err != nil {
				return nil, fmt.Errorf("must be a list of strings or one string, but an element is %s", yamlKind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := yamlScalar(v)
	if err != nil {
		return nil, fmt.Errorf("must be a list of strings or one string, not %s", yamlKind(v))
	}
	return strings.Fields(s), nil
}

func yamlStringMap(v any) (map[string]string, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be a mapping of names to strings, not %s", yamlKind(v))
	}
	out := make(map[string]string, len(obj))
	for k, e := range obj {
		s, err := yamlScalar(e)
		if err != nil {
			return nil, fmt.Errorf("must be a mapping of names to strings, but %s is %s", k, yamlKind(e))
		}
		out[k] = s
	}
	return out, nil
}

func yamlBool(v any) (bool, error) {
	switch b := v.(type) {
	case bool:
		return b, nil
	case string:
		// YAML 1.1 booleans are still read into boolean fields.
		switch b {
		case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON":
			return true, nil
		case "n", "N", "no", "No", "NO", "off", "Off", "OFF":
			return false, nil
		}
	}
	return false, fmt.Errorf("must be true or false, not %s", yamlKind(v))
}

// yamlScalar returns a scalar's text; null is the empty string.
func yamlScalar(v any) (string, error) {
	switch s := v.(type) {
	case nil:
		return "", nil
	case string:
		return s, nil
	case bool:
		return strconv.FormatBool(s), nil
	case int:
		return strconv.Itoa(s), nil
	case int64:
		return strconv.FormatInt(s, 10), nil
	case uint64:
		return strconv.FormatUint(s, 10), nil
	case float64:
		return strconv.FormatFloat(s, 'g', -1, 64), nil
	}
	return "", fmt.Errorf("not a scalar")
}

func yamlKind(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "a mapping"
	case []any:
		return "a list"
	case string:
		return fmt.Sprintf("the string %q", v)
	case nil:
		return "null"
	}
	return fmt.Sprintf("%v", v)
}
