package plan

import (
	"strconv"
	"strings"

	"github.com/xbake/xbake/bake"
)

// The dedup key says when two (target, platform) pairs are the same solve.
// It has two parts: a static part per target, built here from every input
// that reaches the BuildKit solve request, and a per-platform part (the
// canonical platform and the solves that feed its `target:` contexts),
// built by keyFor.
//
// What is left out is what only names or places the result: the target's
// name and description, its tags and outputs, and whether it was requested
// (Linked). Everything else counts, including inputs that cannot change the
// image's bytes but are part of the one request a shared solve sends: cache
// import and export, attestations, annotations, entitlements and resource
// limits. Leaving one out wrongly would drop a user's setting; keeping one
// in wrongly only costs a duplicate solve that BuildKit's cache absorbs.
func staticKey(t *bake.Target) string {
	k := keyWriter{b: make([]byte, 0, 256)}
	k.strs(t.Annotations)
	k.count(len(t.Attest))
	for _, a := range t.Attest {
		if a == nil {
			k.nil()
			continue
		}
		k.str(a.Type)
		k.flag(a.Disabled)
		k.smap(a.Attrs)
	}
	k.opt(t.Context)
	k.count(len(t.Contexts))
	for _, name := range sortedKeys(t.Contexts) {
		k.str(name)
		v := t.Contexts[name]
		if strings.HasPrefix(v, targetPrefix) {
			// The solve that serves it is in the per-platform part.
			k.nil()
			continue
		}
		k.str(v)
	}
	k.opt(t.Dockerfile)
	k.opt(t.DockerfileInline)
	k.pmap(t.Args)
	k.pmap(t.Labels)
	k.caches(t.CacheFrom)
	k.caches(t.CacheTo)
	k.opt(t.Target)
	k.count(len(t.Secrets))
	for _, s := range t.Secrets {
		if s == nil {
			k.nil()
			continue
		}
		k.str(s.ID)
		k.str(s.FilePath)
		k.str(s.Env)
	}
	k.count(len(t.SSH))
	for _, s := range t.SSH {
		if s == nil {
			k.nil()
			continue
		}
		k.str(s.ID)
		k.strs(s.Paths)
	}
	k.optBool(t.Pull)
	k.optBool(t.NoCache)
	k.opt(t.Network)
	k.strs(t.NoCacheFilter)
	k.opt(t.ShmSize)
	k.strs(t.Ulimits)
	k.resources(t.Resources)
	k.opt(t.Call)
	k.strs(t.Entitlements)
	k.pmap(t.ExtraHosts)
	k.count(len(t.Policy))
	for _, p := range t.Policy {
		if p == nil {
			k.nil()
			continue
		}
		k.str(p.Filename)
		k.optBool(p.Reset)
		k.optBool(p.Disabled)
		k.optBool(p.Strict)
		k.str(p.LogLevel)
	}
	return string(k.b)
}

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
	for _, key := range sortedKeys(m) {
		k.str(key)
		k.str(m[key])
	}
}

func (k *keyWriter) pmap(m map[string]*string) {
	k.count(len(m))
	for _, key := range sortedKeys(m) {
		k.str(key)
		k.opt(m[key])
	}
}

func (k *keyWriter) caches(cs []*bake.CacheEntry) {
	k.count(len(cs))
	for _, c := range cs {
		if c == nil {
			k.nil()
			continue
		}
		k.str(c.Type)
		k.smap(c.Attrs)
	}
}

func (k *keyWriter) resources(r *bake.Resources) {
	if r == nil {
		k.nil()
		return
	}
	k.b = append(k.b, 'R')
	k.opt(r.Memory)
	k.opt(r.MemorySwap)
	k.optInt(r.CPUShares)
	k.optInt(r.CPUPeriod)
	k.optInt(r.CPUQuota)
	k.opt(r.CPUSetCPUs)
	k.opt(r.CPUSetMems)
}
