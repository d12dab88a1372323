package bake

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/tonistiigi/go-csvvalue"
)

// The entry types of list attributes (output, cache-from, cache-to, attest,
// secret, ssh, policy) accept the CLI's CSV form or an object, exactly as
// buildx parses them, and print as buildx prints them.

// ParseExport parses one output in CSV form: "type=image,push=true", a bare
// path ("./out" means type=local,dest=./out) or "-" (type=tar to stdout).
func ParseExport(s string) (*Export, error) {
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return nil, err
	}
	e := &Export{Attrs: map[string]string{}}
	if len(fields) == 1 && fields[0] == s && !strings.HasPrefix(s, "type=") {
		e.Type, e.Dest = "local", s
		if s == "-" {
			e.Type = "tar"
		}
		return e, nil
	}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid value %q: each field must be key=value", f)
		}
		switch k = strings.TrimSpace(strings.ToLower(k)); k {
		case "type":
			e.Type = v
		case "dest":
			e.Dest = v
		default:
			e.Attrs[k] = v
		}
	}
	return e, e.validate()
}

func exportFromMap(m map[string]string) (*Export, error) {
	e := &Export{Type: m["type"], Dest: m["dest"], Attrs: maps.Clone(m)}
	delete(e.Attrs, "type")
	delete(e.Attrs, "dest")
	return e, e.validate()
}

func (e *Export) validate() error {
	if e.Type == "" {
		return fmt.Errorf("type is required for output, for example type=image or type=local,dest=out")
	}
	return nil
}

// Equal reports whether two outputs are the same.
func (e *Export) Equal(o *Export) bool {
	return e.Type == o.Type && e.Dest == o.Dest && maps.Equal(e.Attrs, o.Attrs)
}

// Map returns the output as one flat map, the way it prints.
func (e *Export) Map() map[string]string {
	m := maps.Clone(e.Attrs)
	if m == nil {
		m = map[string]string{}
	}
	m["type"] = e.Type
	if e.Dest != "" {
		m["dest"] = e.Dest
	}
	return m
}

// ParseCacheEntries parses one cache-from/cache-to string: CSV with a type
// ("type=registry,ref=x"), or one or more bare registry references
// ("user/app:cache" or "a:cache,b:cache").
func ParseCacheEntries(s string) ([]*CacheEntry, error) {
	if !strings.Contains(s, "=") {
		fields, err := csvvalue.Fields(s, nil)
		if err != nil {
			return nil, err
		}
		out := make([]*CacheEntry, 0, len(fields))
		for _, f := range fields {
			out = append(out, &CacheEntry{Type: "registry", Attrs: map[string]string{"ref": f}})
		}
		return out, nil
	}
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return nil, err
	}
	c := &CacheEntry{Attrs: map[string]string{}}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid value %q: each field must be key=value", f)
		}
		if k = strings.ToLower(k); k == "type" {
			c.Type = v
		} else {
			c.Attrs[k] = v
		}
	}
	if c.Type == "" {
		return nil, fmt.Errorf("type is required for %q, for example type=registry,ref=user/app:cache", s)
	}
	return []*CacheEntry{c}, nil
}

func cacheFromMap(m map[string]string) (*CacheEntry, error) {
	c := &CacheEntry{Type: m["type"], Attrs: maps.Clone(m)}
	delete(c.Attrs, "type")
	if c.Type == "" {
		return nil, fmt.Errorf("type is required for a cache entry, for example type=registry")
	}
	return c, nil
}

// Equal reports whether two cache entries are the same.
func (c *CacheEntry) Equal(o *CacheEntry) bool {
	return c.Type == o.Type && maps.Equal(c.Attrs, o.Attrs)
}

// Map returns the entry as one flat map, the way it prints.
func (c *CacheEntry) Map() map[string]string {
	m := maps.Clone(c.Attrs)
	if m == nil {
		m = map[string]string{}
	}
	m["type"] = c.Type
	return m
}

// ParseAttest parses one attestation in CSV form ("type=sbom",
// "type=provenance,mode=max", "type=sbom,disabled=true").
func ParseAttest(s string) (*Attest, error) {
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return nil, err
	}
	a := &Attest{Attrs: map[string]string{}}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid value %q: each field must be key=value", f)
		}
		if err := a.set(k, v); err != nil {
			return nil, err
		}
	}
	return a, a.validate()
}

func attestFromMap(m map[string]string) (*Attest, error) {
	a := &Attest{Attrs: map[string]string{}}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		if err := a.set(k, m[k]); err != nil {
			return nil, err
		}
	}
	return a, a.validate()
}

func (a *Attest) set(k, v string) error {
	switch strings.TrimSpace(strings.ToLower(k)) {
	case "type":
		a.Type = v
	case "disabled":
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("invalid value disabled=%s: use true or false", v)
		}
		a.Disabled = b
	default:
		a.Attrs[k] = v
	}
	return nil
}

func (a *Attest) validate() error {
	if a.Type == "" {
		return fmt.Errorf("attestation type not specified: use type=sbom or type=provenance")
	}
	return nil
}

// ParseSecret parses one secret in CSV form ("id=npm,src=.npmrc",
// "id=token,env=TOKEN", "type=env,id=X").
func ParseSecret(s string) (*Secret, error) {
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return nil, fmt.Errorf("invalid secret %q: %v", s, err)
	}
	sec := &Secret{}
	var typ string
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid secret field %q: it must be a key=value pair", f)
		}
		switch k = strings.ToLower(k); k {
		case "type":
			if v != "file" && v != "env" {
				return nil, fmt.Errorf("unsupported secret type %q: use file or env", v)
			}
			typ = v
		case "id":
			sec.ID = v
		case "source", "src":
			sec.FilePath = v
		case "env":
			sec.Env = v
		default:
			return nil, fmt.Errorf("unexpected key %q in secret field %q: use id, src or env", k, f)
		}
	}
	if typ == "env" && sec.Env == "" {
		sec.Env, sec.FilePath = sec.FilePath, ""
	}
	return sec, nil
}

// ParseSSH parses one ssh entry: "default" or "id=path1,path2".
func ParseSSH(s string) *SSH {
	id, paths, ok := strings.Cut(s, "=")
	e := &SSH{ID: id}
	if ok {
		e.Paths = strings.Split(paths, ",")
	}
	return e
}

// ParsePolicy parses one policy in CSV form
// ("filename=policy.rego,strict=true").
func ParsePolicy(s string) (*Policy, error) {
	fields, err := csvvalue.Fields(s, nil)
	if err != nil {
		return nil, err
	}
	return policyFromFields(fields)
}

func policyFromFields(fields []string) (*Policy, error) {
	p := &Policy{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("invalid policy field %q: it must be key=value", f)
		}
		switch k = strings.TrimSpace(strings.ToLower(k)); k {
		case "filename":
			if v == "" {
				return nil, fmt.Errorf("invalid policy field %q: filename is empty", f)
			}
			p.Filename = v
		case "reset", "disabled", "strict":
			b, err := strconv.ParseBool(v)
			if err != nil {
				return nil, fmt.Errorf("invalid policy field %q: use true or false", f)
			}
			switch k {
			case "reset":
				p.Reset = &b
			case "disabled":
				p.Disabled = &b
			default:
				p.Strict = &b
			}
		case "log-level":
			switch v {
			case "panic", "fatal", "error", "warn", "warning", "info", "debug", "trace":
			default:
				return nil, fmt.Errorf("invalid policy log-level %q: use error, warn, info, debug or trace", v)
			}
			p.LogLevel = v
		default:
			return nil, fmt.Errorf("invalid policy field %q: use filename, reset, disabled, strict or log-level", f)
		}
	}
	return p, nil
}
