package bake

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
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

// XBakeFields are the keys x-bake accepts, in the attribute table's order.
func XBakeFields() []string { return slices.Clone(xbakeFields) }

// ApplyXBake merges the x-bake field name, decoded from YAML as v, into t
// by the attribute table's rule for it.
func ApplyXBake(t *Target, name string, v any) error {
	if a := attrByName[name]; a != nil && a.xbake != nil {
		return a.xbake(t, v)
	}
	return fmt.Errorf("is not an x-bake field")
}

// ComposeTargetName, ComposeNamedContexts and SortSSH are Compose's
// mapping rules, which the x-bake column of the table shares with package
// bake/compose.

// ComposeTargetName is the target a service becomes: dots are not allowed
// in target names.
func ComposeTargetName(service string) string {
	return strings.ReplaceAll(service, ".", "_")
}

// ComposeNamedContexts turns Compose's "service:x" contexts (and bake's
// "target:x") into bake target links, with the service name mapped to its
// target name.
func ComposeNamedContexts(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		for _, prefix := range []string{"service:", "target:"} {
			if name, ok := strings.CutPrefix(v, prefix); ok {
				v = "target:" + ComposeTargetName(name)
				break
			}
		}
		out[k] = v
	}
	return out
}

// SortSSH orders ssh entries by id, then paths, as buildx does after
// reading Compose's and x-bake's.
func SortSSH(s []*SSH) {
	slices.SortFunc(s, func(a, b *SSH) int {
		if c := cmp.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return slices.Compare(a.Paths, b.Paths)
	})
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

// The x-bake values are decoded as buildx decodes them (YAML into typed
// fields): a list of strings or one whitespace-separated string, a mapping
// of strings, or a boolean.

func yamlStringArray(v any) ([]string, error) {
	if l, ok := v.([]any); ok {
		out := make([]string, 0, len(l))
		for _, e := range l {
			s, err := yamlScalar(e)
			if err != nil {
				return nil, fmt.Errorf("must be a list of strings or one string, but an element is %s", YAMLKind(e))
			}
			out = append(out, s)
		}
		return out, nil
	}
	s, err := yamlScalar(v)
	if err != nil {
		return nil, fmt.Errorf("must be a list of strings or one string, not %s", YAMLKind(v))
	}
	return strings.Fields(s), nil
}

func yamlStringMap(v any) (map[string]string, error) {
	obj, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("must be a mapping of names to strings, not %s", YAMLKind(v))
	}
	out := make(map[string]string, len(obj))
	for k, e := range obj {
		s, err := yamlScalar(e)
		if err != nil {
			return nil, fmt.Errorf("must be a mapping of names to strings, but %s is %s", k, YAMLKind(e))
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
	return false, fmt.Errorf("must be true or false, not %s", YAMLKind(v))
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

// YAMLKind names the kind of a decoded YAML value, for messages.
func YAMLKind(v any) string {
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
