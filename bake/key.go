package bake

import (
	"maps"
	"slices"
	"strconv"
	"strings"
)

// SolveKey encodes every attribute of t that reaches a BuildKit solve
// request: plan builds one solve for the (target, platform) pairs whose
// keys, platforms and dependencies are equal. Left out is what only names
// or places the result (name, description, tags, outputs, Linked), and
// what plan keys per platform: the platforms, and the solves that serve
// target: contexts. Everything else counts, including inputs that cannot
// change the image's bytes but are part of the one request a shared solve
// sends (cache import and export, attestations, entitlements, resource
// limits): leaving one out wrongly would drop a user's setting, keeping
// one in wrongly only costs a duplicate solve that BuildKit's cache
// absorbs. It is the key column of the attribute table, so an attribute
// cannot be forgotten here.
func (t *Target) SolveKey() string {
	k := keyWriter{b: make([]byte, 0, 256)}
	for _, a := range targetAttrs {
		if a.key != nil {
			a.key(&k, t)
		}
	}
	return string(k.b)
}

// isTargetLink says whether a context is another target's result.
func isTargetLink(context string) bool { return strings.HasPrefix(context, "target:") }

// keyWriter writes an unambiguous encoding: strings carry their length and
// lists their count, so no two different inputs give the same bytes.
type keyWriter struct{ b []byte }

func (k *keyWriter) count(n int) {
	k.b = strconv.AppendInt(k.b, int64(n), 10)
	k.b = append(k.b, '#')
}

func (k *keyWriter) str(s string) {
	k.b = strconv.AppendInt(k.b, int64(len(s)), 10)
	k.b = append(k.b, ':')
	k.b = append(k.b, s...)
}

func (k *keyWriter) nil() { k.b = append(k.b, '~') }

func (k *keyWriter) flag(v bool) {
	if v {
		k.b = append(k.b, 'T')
	} else {
		k.b = append(k.b, 'F')
	}
}

func (k *keyWriter) opt(s *string) {
	if s == nil {
		k.nil()
		return
	}
	k.str(*s)
}

func (k *keyWriter) optBool(v *bool) {
	if v == nil {
		k.nil()
		return
	}
	k.flag(*v)
}

func (k *keyWriter) optInt(v *int64) {
	if v == nil {
		k.nil()
		return
	}
	k.b = strconv.AppendInt(k.b, *v, 10)
	k.b = append(k.b, ';')
}

func (k *keyWriter) strs(ss []string) {
	k.count(len(ss))
	for _, s := range ss {
		k.str(s)
	}
}

func (k *keyWriter) smap(m map[string]string) {
	k.count(len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		k.str(key)
		k.str(m[key])
	}
}

func (k *keyWriter) pmap(m map[string]*string) {
	k.count(len(m))
	for _, key := range slices.Sorted(maps.Keys(m)) {
		k.str(key)
		k.opt(m[key])
	}
}
