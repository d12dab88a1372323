package bake

import (
	"slices"
)

// Merge applies o on top of t, attribute by attribute, with buildx's
// rules (the merge column of the attribute table): scalars and tags,
// platforms, outputs and cache-to are replaced when o sets them; args,
// labels, contexts and extra-hosts merge key by key (a null value in o
// never deletes a key); the other lists append, and attest, secret, ssh
// and cache-from then drop duplicates.
//
// inherits is not merged: it names what resolution merges in, and a
// resolved parent's inherits would only pile up along a chain (a chain of
// n links held n²/2 names). declared joins the inherits of several blocks.
func (t *Target) Merge(o *Target) {
	for _, a := range targetAttrs {
		a.merge(t, o)
	}
	t.Source = t.Source.merge(o.Source)
}

// appendClone appends b to a copy of a, so merged targets never share
// backing arrays with the targets they came from.
func appendClone[E any](a, b []E) []E {
	out := make([]E, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}

func mergeNullable(dst, src map[string]*string) map[string]*string {
	for k, v := range src {
		if v == nil {
			continue
		}
		if dst == nil {
			dst = map[string]*string{}
		}
		dst[k] = v
	}
	return dst
}

// normalize drops empty and repeated values the way buildx does after
// resolving a target, and adds the network.host entitlement that
// network = "host" needs.
func (t *Target) normalize() {
	for _, a := range targetAttrs {
		if a.normalize != nil {
			a.normalize(t)
		}
	}
	if t.Network != nil && *t.Network == "host" {
		t.Entitlements = dedupeStrings(append(t.Entitlements, "network.host"))
	}
}

// dedupeStrings removes empty strings and repeats, keeping first positions.
func dedupeStrings(s []string) []string {
	if s == nil {
		return nil
	}
	seen := make(map[string]bool, len(s))
	out := s[:0:0]
	for _, v := range s {
		if v == "" || seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, v)
	}
	return out
}

// dedupeByKey keeps one entry per key: a later entry replaces an earlier
// one in the earlier one's position.
func dedupeByKey[E any](s []E, key func(E) string) []E {
	if len(s) == 0 {
		return nil
	}
	pos := map[string]int{}
	var out []E
	for _, e := range s {
		if i, ok := pos[key(e)]; ok {
			out[i] = e
			continue
		}
		pos[key(e)] = len(out)
		out = append(out, e)
	}
	return out
}

func dedupeAttests(s []*Attest) []*Attest {
	return dedupeByKey(s, func(a *Attest) string { return a.Type })
}

func dedupeSecrets(s []*Secret) []*Secret {
	return dedupeByKey(s, func(a *Secret) string { return a.ID })
}

func dedupeSSH(s []*SSH) []*SSH {
	return dedupeByKey(s, func(a *SSH) string { return a.ID })
}

// removeDupes removes deep-equal repeats the way buildx does for outputs
// and cache entries: walking backwards, each repeat is swapped with the last
// element and cut, which can reorder what follows it. --print must match
// buildx byte for byte, so the quirk is kept.
func removeDupes[E interface{ Equal(E) bool }](s []E) []E {
	return removeDupesFunc(s, func(a, b E) bool { return a.Equal(b) })
}

// removeDupesFunc is removeDupes with eq telling repeats: x-bake lists
// merge by the same rule, with their own equality.
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
