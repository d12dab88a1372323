package compose

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// The x-bake extension of a Compose build section carries the bake fields
// Compose has no key for. Its values are merged into what the Compose keys
// set: lists are appended and deduplicated, contexts keep the keys Compose
// set, pull and no-cache replace.

// xbakeFields are the keys x-bake accepts, in buildx's order.
var xbakeFields = []string{"tags", "cache-from", "cache-to", "secret", "ssh", "platforms", "output", "pull", "no-cache", "no-cache-filter", "contexts"}

// xbakeAttr maps an x-bake key to the bake attribute it sets.
var xbakeAttr = map[string]string{"tags": "tags", "cache-from": "cache-from", "cache-to": "cache-to", "secret": "secret",
	"ssh": "ssh", "platforms": "platforms", "output": "output", "pull": "pull", "no-cache": "no-cache",
	"no-cache-filter": "no-cache-filter", "contexts": "contexts"}

func (m *composeMapper) applyXBake(t *bake.Target, ext any) {
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
	for _, k := range xbakeFields {
		v, ok := obj[k]
		if !ok || v == nil {
			continue
		}
		if err := m.applyXBakeField(t, k, v); err != nil {
			m.errorf(m.at("", "build", "x-bake", k), "Invalid x-bake "+k,
				"Service %q: x-bake %s %s.", m.name, k, err)
			continue
		}
		m.at(xbakeAttr[k], "build", "x-bake", k)
	}
}

func (m *composeMapper) applyXBakeField(t *bake.Target, k string, v any) error {
	switch k {
	case "pull", "no-cache":
		b, err := yamlBool(v)
		if err != nil {
			return err
		}
		if k == "pull" {
			t.Pull = &b
		} else {
			t.NoCache = &b
		}
		return nil
	case "contexts":
		ctxs, err := yamlStringMap(v)
		if err != nil {
			return err
		}
		if len(ctxs) > 0 {
			// Compose's additional_contexts win over x-bake's.
			merged := composeNamedContexts(ctxs)
			maps.Copy(merged, t.Contexts)
			t.Contexts = merged
		}
		return nil
	}
	list, err := yamlStringArray(v)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	switch k {
	case "tags":
		t.Tags = appendUnique(t.Tags, list)
	case "platforms":
		t.Platforms = appendUnique(t.Platforms, list)
	case "no-cache-filter":
		t.NoCacheFilter = appendUnique(t.NoCacheFilter, list)
	case "cache-from", "cache-to":
		var entries []*bake.CacheEntry
		for _, s := range list {
			if s == "" {
				continue
			}
			es, err := bake.ParseCacheEntries(s)
			if err != nil {
				return fmt.Errorf("has an invalid entry %q: %v. Write a registry reference (user/app:cache) or type=...,key=value", s, err)
			}
			entries = append(entries, es...)
		}
		if k == "cache-from" {
			t.CacheFrom = bake.RemoveDupes(append(t.CacheFrom, entries...))
		} else {
			t.CacheTo = bake.RemoveDupes(append(t.CacheTo, entries...))
		}
	case "secret":
		for _, s := range list {
			if s == "" {
				continue
			}
			sec, err := bake.ParseSecret(s)
			if err != nil {
				return fmt.Errorf("has an invalid entry %q: %v. Write id=NAME,src=PATH or id=NAME,env=VAR", s, err)
			}
			t.Secrets = append(t.Secrets, sec)
		}
		t.Secrets = removeDupesFunc(t.Secrets, func(a, b *bake.Secret) bool { return *a == *b })
	case "ssh":
		for _, s := range list {
			if s != "" {
				t.SSH = append(t.SSH, bake.ParseSSH(s))
			}
		}
		t.SSH = removeDupesFunc(t.SSH, func(a, b *bake.SSH) bool { return a.ID == b.ID && slices.Equal(a.Paths, b.Paths) })
		sortSSH(t.SSH)
	case "output":
		var outs []*bake.Export
		for _, s := range list {
			if s == "" {
				continue
			}
			e, err := bake.ParseExport(s)
			if err != nil {
				return fmt.Errorf("has an invalid entry %q: %v", s, err)
			}
			outs = append(outs, e)
		}
		t.Outputs = bake.RemoveDupes(append(t.Outputs, outs...))
	}
	return nil
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
