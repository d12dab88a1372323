package bake

import (
	"fmt"
	"slices"

	"github.com/zclconf/go-cty/cty"
)

// entryKind is what an entry attribute (output, cache-from, cache-to,
// attest, secret, ssh, policy: a list whose elements are CLI-style CSV
// strings or objects) needs beyond the rules of every list.
type entryKind[T any] struct {
	// parse reads one element of an HCL value, parseCSV one --set or
	// x-bake string; value turns an entry back into a cty value.
	parse    func(cty.Value) ([]*T, error)
	parseCSV func(string) ([]*T, error)
	value    func(*T) cty.Value
	// dedupe drops repeats after an append and when normalising; nil
	// keeps them.
	dedupe func([]*T) []*T
	// equal is what x-bake counts as a repeat; xbakeHint follows the
	// error about an invalid x-bake entry; sortXBake, when set, orders
	// the entries after x-bake added some (buildx sorts ssh there).
	equal     func(a, b *T) bool
	xbakeHint string
	sortXBake func([]*T)
	// grant adds the paths a --set entry names to what the command line
	// grants.
	grant func(*grants, *T)
	print func(*jsonWriter, *T)
	key   func(*keyWriter, *T)
}

// entries is an entry attribute: merge replaces the list unless
// appendOnMerge (then drops repeats), --set replaces it or appends with
// "+=" or appendOnSet.
func entries[T any](name string, f func(*Target) *[]*T, kind *entryKind[T], r rule) *attribute {
	dedupe := func(l []*T) []*T {
		if kind.dedupe == nil {
			return l
		}
		return kind.dedupe(l)
	}
	a := &attribute{
		name:   name,
		decode: func(v cty.Value) (any, error) { return decodeEntries(v, kind.parse) },
		store:  func(t *Target, x any) { *f(t), _ = x.([]*T) },
		value: func(x any) cty.Value {
			l, _ := x.([]*T)
			if len(l) == 0 {
				return cty.EmptyTupleVal
			}
			vals := make([]cty.Value, len(l))
			for i, e := range l {
				vals[i] = kind.value(e)
			}
			return cty.TupleVal(vals)
		},
		merge: func(t, o *Target) {
			switch v := *f(o); {
			case v == nil:
			case r.has(appendOnMerge):
				*f(t) = dedupe(appendClone(*f(t), v))
			default:
				*f(t) = slices.Clone(v)
			}
		},
		set: func(t *Target, o *override, _ string, g *grants) error {
			list, err := parseEach(o.values, kind.parseCSV)
			if err != nil {
				return err
			}
			if r.has(appendOnSet) || o.append {
				list = dedupe(appendClone(*f(t), list))
			}
			*f(t) = list
			if kind.grant != nil {
				for _, e := range list {
					kind.grant(g, e)
				}
			}
			return nil
		},
		setList: true,
		print: func(w *jsonWriter, t *Target) {
			l := *f(t)
			if len(l) == 0 {
				return
			}
			w.key(name)
			w.beginArray()
			for _, e := range l {
				w.arrayElem()
				kind.print(w, e)
			}
			w.endArray()
		},
		key: func(k *keyWriter, t *Target) {
			l := *f(t)
			k.count(len(l))
			for _, e := range l {
				if e == nil {
					k.nil()
					continue
				}
				kind.key(k, e)
			}
		},
	}
	if kind.dedupe != nil {
		a.normalize = func(t *Target) { *f(t) = kind.dedupe(*f(t)) }
	}
	if r.has(inXBake) {
		a.xbake = func(t *Target, v any) error {
			list, err := yamlStringArray(v)
			if err != nil || len(list) == 0 {
				return err
			}
			var add []*T
			for _, s := range list {
				if s == "" {
					continue
				}
				es, err := kind.parseCSV(s)
				if err != nil {
					return fmt.Errorf("has an invalid entry %q: %v%s", s, err, kind.xbakeHint)
				}
				add = append(add, es...)
			}
			*f(t) = removeDupesFunc(append(*f(t), add...), kind.equal)
			if kind.sortXBake != nil {
				kind.sortXBake(*f(t))
			}
			return nil
		}
	}
	if r.has(noKey) {
		a.key = nil
	}
	return a
}

// one wraps a parser of one entry.
func one[T any](parse func(string) (*T, error)) func(string) ([]*T, error) {
	return func(s string) ([]*T, error) {
		e, err := parse(s)
		return []*T{e}, err
	}
}

var attestEntries = &entryKind[Attest]{
	parse:    parseAttestValue,
	parseCSV: one(ParseAttest),
	value:    attestValue,
	dedupe:   dedupeAttests,
	print:    func(w *jsonWriter, a *Attest) { a.writeJSON(w) },
	key: func(k *keyWriter, a *Attest) {
		k.str(a.Type)
		k.flag(a.Disabled)
		k.smap(a.Attrs)
	},
}

var cacheEntries = &entryKind[CacheEntry]{
	parse:     parseCacheValue,
	parseCSV:  ParseCacheEntries,
	value:     cacheValue,
	dedupe:    removeDupes[*CacheEntry],
	equal:     (*CacheEntry).Equal,
	xbakeHint: ". Write a registry reference (user/app:cache) or type=...,key=value",
	grant: func(g *grants, c *CacheEntry) {
		if c.Type == "local" {
			g.fsRead = appendIf(g.fsRead, c.Attrs["src"])
			g.fsWrite = appendIf(g.fsWrite, c.Attrs["dest"])
		}
	},
	print: func(w *jsonWriter, c *CacheEntry) { w.stringMap(c.Map()) },
	key: func(k *keyWriter, c *CacheEntry) {
		k.str(c.Type)
		k.smap(c.Attrs)
	},
}

var secretEntries = &entryKind[Secret]{
	parse:     parseSecretValue,
	parseCSV:  one(ParseSecret),
	value:     secretValue,
	dedupe:    dedupeSecrets,
	equal:     func(a, b *Secret) bool { return *a == *b },
	xbakeHint: ". Write id=NAME,src=PATH or id=NAME,env=VAR",
	grant:     func(g *grants, s *Secret) { g.fsRead = appendIf(g.fsRead, s.FilePath) },
	print: func(w *jsonWriter, s *Secret) {
		w.beginObject()
		w.optString("id", s.ID)
		w.optString("src", s.FilePath)
		w.optString("env", s.Env)
		w.endObject()
	},
	key: func(k *keyWriter, s *Secret) {
		k.str(s.ID)
		k.str(s.FilePath)
		k.str(s.Env)
	},
}

var sshEntries = &entryKind[SSH]{
	parse:     parseSSHValue,
	parseCSV:  func(s string) ([]*SSH, error) { return []*SSH{ParseSSH(s)}, nil },
	value:     sshValue,
	dedupe:    dedupeSSH,
	equal:     func(a, b *SSH) bool { return a.ID == b.ID && slices.Equal(a.Paths, b.Paths) },
	sortXBake: SortSSH,
	grant:     func(g *grants, s *SSH) { g.fsRead = append(g.fsRead, s.Paths...) },
	print: func(w *jsonWriter, s *SSH) {
		w.beginObject()
		w.optString("id", s.ID)
		w.optStrings("paths", s.Paths)
		w.endObject()
	},
	key: func(k *keyWriter, s *SSH) {
		k.str(s.ID)
		k.strs(s.Paths)
	},
}

var exportEntries = &entryKind[Export]{
	parse:    parseExportValue,
	parseCSV: one(ParseExport),
	value:    exportValue,
	dedupe:   removeDupes[*Export],
	equal:    (*Export).Equal,
	grant:    func(g *grants, e *Export) { g.fsWrite = appendIf(g.fsWrite, e.Dest) },
	print:    func(w *jsonWriter, e *Export) { w.stringMap(e.Map()) },
}

var policyEntries = &entryKind[Policy]{
	parse:    parsePolicyValue,
	parseCSV: one(ParsePolicy),
	value:    policyValue,
	print:    func(w *jsonWriter, p *Policy) { p.writeJSON(w) },
	key: func(k *keyWriter, p *Policy) {
		k.str(p.Filename)
		k.optBool(p.Reset)
		k.optBool(p.Disabled)
		k.optBool(p.Strict)
		k.str(p.LogLevel)
	},
}
