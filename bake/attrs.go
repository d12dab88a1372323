package bake

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/zclconf/go-cty/cty"

	"github.com/xbake/xbake/schema"
)

// attribute is one row of the target attribute table: everything xbake
// does with one attribute of a target block. schema.Target describes the
// same attributes (type, documentation, --set key) for the JSON Schemas
// and is matched to the rows by name; TestAttributeTable checks every
// Target field against every column.
type attribute struct {
	name string

	// decode turns an evaluated value into the Go value, nil for null;
	// store sets it on a target; value turns it back into a cty value for
	// target.NAME.ATTR (which sees the decoded value, as in buildx:
	// numbers in args read back as strings, outputs as maps).
	decode func(cty.Value) (any, error)
	store  func(*Target, any)
	value  func(any) cty.Value

	// merge applies o's value on top of t's (inherits, several blocks of
	// one name); normalize cleans the resolved value as buildx does.
	merge     func(t, o *Target)
	normalize func(*Target)

	// set applies one --set key; sub is what follows the attribute in the
	// key (args.NAME). nil when --set refuses the attribute, as buildx
	// does. Values of a setList key accumulate across repeated flags; a
	// setSub key needs a name; a setFromEnv key without a value reads the
	// environment.
	set                         func(t *Target, o *override, sub string, g *grants) error
	setList, setSub, setFromEnv bool

	// xbake applies the field of that name in a Compose service's x-bake
	// extension; nil when buildx's x-bake has no such field.
	xbake func(t *Target, v any) error

	// print writes the attribute as --print does, nothing when empty.
	print func(*jsonWriter, *Target)

	// key writes the attribute into plan's dedup key (Target.SolveKey);
	// nil for what only names or places the result, or what plan keys per
	// platform.
	key func(*keyWriter, *Target)
}

// targetAttrs is the table, in buildx's order: the order of schema.Target
// and the key order of --print. name, matrix and inherits are read by the
// block decoder itself.
var targetAttrs = []*attribute{
	description(),
	list("annotations", func(t *Target) *[]string { return &t.Annotations }, appendOnMerge|appendOnSet|escaped),
	entries("attest", func(t *Target) *[]*Attest { return &t.Attest }, attestEntries, appendOnMerge|appendOnSet),
	text("context", func(t *Target) **string { return &t.Context }, markSet|redacted),
	contexts(),
	text("dockerfile", func(t *Target) **string { return &t.Dockerfile }, 0),
	text("dockerfile-inline", func(t *Target) **string { return &t.DockerfileInline }, noSet|escaped),
	nullableMap("args", func(t *Target) *map[string]*string { return &t.Args }, setFromEnv),
	nullableMap("labels", func(t *Target) *map[string]*string { return &t.Labels }, 0),
	list("tags", func(t *Target) *[]string { return &t.Tags }, inXBake|noKey),
	entries("cache-from", func(t *Target) *[]*CacheEntry { return &t.CacheFrom }, cacheEntries, appendOnMerge|inXBake),
	entries("cache-to", func(t *Target) *[]*CacheEntry { return &t.CacheTo }, cacheEntries, inXBake),
	text("target", func(t *Target) **string { return &t.Target }, 0),
	entries("secret", func(t *Target) *[]*Secret { return &t.Secrets }, secretEntries, appendOnMerge|inXBake),
	entries("ssh", func(t *Target) *[]*SSH { return &t.SSH }, sshEntries, appendOnMerge|inXBake),
	// Platforms are keyed per platform by plan.
	list("platforms", func(t *Target) *[]string { return &t.Platforms }, inXBake|noKey),
	entries("output", func(t *Target) *[]*Export { return &t.Outputs }, exportEntries, inXBake|noKey),
	flag("pull", func(t *Target) **bool { return &t.Pull }),
	flag("no-cache", func(t *Target) **bool { return &t.NoCache }),
	text("network", func(t *Target) **string { return &t.Network }, 0),
	list("no-cache-filter", func(t *Target) *[]string { return &t.NoCacheFilter }, appendOnMerge|inXBake),
	text("shm-size", func(t *Target) **string { return &t.ShmSize }, 0),
	list("ulimits", func(t *Target) *[]string { return &t.Ulimits }, appendOnMerge),
	resources(),
	text("call", func(t *Target) **string { return &t.Call }, 0),
	list("entitlements", func(t *Target) *[]string { return &t.Entitlements }, appendOnMerge|appendOnSet|grantsEntitlements),
	nullableMap("extra-hosts", func(t *Target) *map[string]*string { return &t.ExtraHosts }, 0),
	entries("policy", func(t *Target) *[]*Policy { return &t.Policy }, policyEntries, appendOnMerge),
}

// TargetAttributes are the attribute names a target block accepts, in
// buildx's order.
var TargetAttributes = schema.Target.AttrNames()

var (
	attrByName   = map[string]*attribute{}
	attrBySetKey = map[string]*attribute{}
)

func init() {
	for _, a := range targetAttrs {
		attrByName[a.name] = a
		if a.set == nil {
			continue
		}
		key := a.name
		if s := schema.Target.Attr(a.name); s != nil && s.SetKey != "" {
			key = s.SetKey
		}
		attrBySetKey[key] = a
	}
}

// rule says how an attribute differs from the plain rules of its kind.
type rule uint16

const (
	// appendOnMerge appends a list to the parent's instead of replacing it.
	appendOnMerge rule = 1 << iota
	// appendOnSet makes --set always append, with or without "+=".
	appendOnSet
	// noSet: --set refuses the attribute.
	noSet
	// markSet records that the value came from --set: it has no position,
	// and BUILDX_BAKE_FILE_RELATIVE_PATHS never rebases it.
	markSet
	// escaped prints "${" and "%{" as "$${" and "%%{", as buildx does.
	escaped
	// redacted prints a URL's credentials as xxxxx (RedactURL): a remote
	// definition's context may hold a password.
	redacted
	// inXBake: a Compose x-bake may set the attribute.
	inXBake
	// noKey leaves the attribute out of plan's dedup key.
	noKey
	// setFromEnv: a --set key without a value reads the environment.
	setFromEnv
	// grantsEntitlements: entitlements given with --set are granted.
	grantsEntitlements
)

func (r rule) has(f rule) bool { return r&f != 0 }

// description is a plain string: empty is unset.
func description() *attribute {
	return &attribute{
		name: "description",
		decode: func(v cty.Value) (any, error) {
			s, err := toString(v)
			if err != nil || s == nil {
				return nil, err
			}
			return s, nil
		},
		store: func(t *Target, x any) {
			if s, ok := x.(*string); ok && s != nil {
				t.Description = *s
			}
		},
		value: stringValue,
		merge: func(t, o *Target) {
			if o.Description != "" {
				t.Description = o.Description
			}
		},
		print: func(w *jsonWriter, t *Target) { w.optString("description", t.Description) },
	}
}

// text is an optional string, replaced by merge and by --set.
func text(name string, f func(*Target) **string, r rule) *attribute {
	a := &attribute{
		name: name,
		decode: func(v cty.Value) (any, error) {
			s, err := toString(v)
			if err != nil || s == nil {
				return nil, err
			}
			return s, nil
		},
		store: func(t *Target, x any) { *f(t), _ = x.(*string) },
		value: stringValue,
		merge: func(t, o *Target) {
			if v := *f(o); v != nil {
				*f(t) = v
			}
		},
		set: func(t *Target, o *override, _ string, _ *grants) error {
			v := o.value
			*f(t) = &v
			if r.has(markSet) {
				t.markOverridden(name, "")
			}
			return nil
		},
		print: func(w *jsonWriter, t *Target) {
			v := *f(t)
			if r.has(redacted) {
				v = redactContext(v)
			}
			if v != nil && r.has(escaped) {
				w.key(name)
				w.str(escape(*v))
				return
			}
			w.optStringPtr(name, v)
		},
		key: func(k *keyWriter, t *Target) { k.opt(*f(t)) },
	}
	if r.has(noSet) {
		a.set = nil
	}
	return a
}

func stringValue(x any) cty.Value {
	if s, ok := x.(*string); ok && s != nil {
		return cty.StringVal(*s)
	}
	return cty.NullVal(cty.String)
}

// flag is an optional bool, replaced by merge, --set and x-bake.
func flag(name string, f func(*Target) **bool) *attribute {
	return &attribute{
		name:   name,
		decode: decodeBool,
		store:  func(t *Target, x any) { *f(t), _ = x.(*bool) },
		value: func(x any) cty.Value {
			if b, ok := x.(*bool); ok && b != nil {
				return cty.BoolVal(*b)
			}
			return cty.NullVal(cty.Bool)
		},
		merge: func(t, o *Target) {
			if v := *f(o); v != nil {
				*f(t) = v
			}
		},
		set: func(t *Target, o *override, _ string, _ *grants) error {
			b, err := parseSetBool(o.value)
			if err == nil {
				*f(t) = &b
			}
			return err
		},
		xbake: func(t *Target, v any) error {
			b, err := yamlBool(v)
			if err == nil {
				*f(t) = &b
			}
			return err
		},
		print: func(w *jsonWriter, t *Target) { w.optBoolPtr(name, *f(t)) },
		key:   func(k *keyWriter, t *Target) { k.optBool(*f(t)) },
	}
}

func parseSetBool(s string) (bool, error) {
	b, err := strconv.ParseBool(s)
	if err != nil {
		return false, fmt.Errorf("%q is not a bool: use true or false", s)
	}
	return b, nil
}

// list is a list of strings. Merge replaces it unless appendOnMerge; --set
// replaces it, or appends with "+=" or appendOnSet; x-bake appends and
// drops repeats; normalisation drops empty strings and repeats.
func list(name string, f func(*Target) *[]string, r rule) *attribute {
	a := &attribute{
		name:   name,
		decode: decodeStringList,
		store:  func(t *Target, x any) { *f(t), _ = x.([]string) },
		value: func(x any) cty.Value {
			l, _ := x.([]string)
			return stringsValue(l)
		},
		merge: func(t, o *Target) {
			switch v := *f(o); {
			case v == nil:
			case r.has(appendOnMerge):
				*f(t) = appendClone(*f(t), v)
			default:
				*f(t) = slices.Clone(v)
			}
		},
		normalize: func(t *Target) { *f(t) = dedupeStrings(*f(t)) },
		set: func(t *Target, o *override, _ string, g *grants) error {
			if r.has(appendOnSet) || o.append {
				*f(t) = appendClone(*f(t), o.values)
			} else {
				*f(t) = slices.Clone(o.values)
			}
			if r.has(grantsEntitlements) {
				g.entitlements = append(g.entitlements, o.values...)
			}
			return nil
		},
		setList: true,
		print: func(w *jsonWriter, t *Target) {
			v := *f(t)
			if !r.has(escaped) || len(v) == 0 {
				w.optStrings(name, v)
				return
			}
			w.key(name)
			w.beginArray()
			for _, s := range v {
				w.arrayElem()
				w.str(escape(s))
			}
			w.endArray()
		},
		key: func(k *keyWriter, t *Target) { k.strs(*f(t)) },
	}
	if r.has(inXBake) {
		a.xbake = func(t *Target, v any) error {
			l, err := yamlStringArray(v)
			if err == nil && len(l) > 0 {
				*f(t) = appendUnique(*f(t), l)
			}
			return err
		}
	}
	if r.has(noKey) {
		a.key = nil
	}
	return a
}

func stringsValue(l []string) cty.Value {
	if len(l) == 0 {
		return cty.ListValEmpty(cty.String)
	}
	vals := make([]cty.Value, len(l))
	for i, s := range l {
		vals[i] = cty.StringVal(s)
	}
	return cty.ListVal(vals)
}

// nullableMap is a map whose null values mean "not set" (args, labels,
// extra-hosts): merged key by key, a null never deleting a key; --set sets
// one key; printed escaped, without the nulls.
func nullableMap(name string, f func(*Target) *map[string]*string, r rule) *attribute {
	return &attribute{
		name:   name,
		decode: decodeNullableMap,
		store:  func(t *Target, x any) { *f(t), _ = x.(map[string]*string) },
		value: func(x any) cty.Value {
			m, _ := x.(map[string]*string)
			if len(m) == 0 {
				return cty.MapValEmpty(cty.String)
			}
			vals := make(map[string]cty.Value, len(m))
			for k, v := range m {
				vals[k] = stringValue(v)
			}
			return cty.MapVal(vals)
		},
		merge: func(t, o *Target) { *f(t) = mergeNullable(*f(t), *f(o)) },
		set: func(t *Target, o *override, sub string, _ *grants) error {
			*f(t) = setNullable(*f(t), sub, o.value)
			return nil
		},
		setSub:     true,
		setFromEnv: r.has(setFromEnv),
		print:      func(w *jsonWriter, t *Target) { w.optNullableMap(name, *f(t), true) },
		key:        func(k *keyWriter, t *Target) { k.pmap(*f(t)) },
	}
}

// contexts are named build contexts: merged key by key; --set sets one;
// a Compose file's additional_contexts win over its x-bake contexts;
// normalisation drops the empty ones. A "target:NAME" value is keyed by
// plan per platform, through the solve that serves it.
func contexts() *attribute {
	return &attribute{
		name:   "contexts",
		decode: decodeContexts,
		store:  func(t *Target, x any) { t.Contexts, _ = x.(map[string]string) },
		value:  contextsValue,
		merge: func(t, o *Target) {
			if len(o.Contexts) > 0 {
				if t.Contexts == nil {
					t.Contexts = map[string]string{}
				}
				maps.Copy(t.Contexts, o.Contexts)
			}
		},
		normalize: func(t *Target) {
			maps.DeleteFunc(t.Contexts, func(_, v string) bool { return v == "" })
			if len(t.Contexts) == 0 {
				t.Contexts = nil
			}
		},
		set: func(t *Target, o *override, sub string, _ *grants) error {
			if t.Contexts == nil {
				t.Contexts = map[string]string{}
			}
			t.Contexts[sub] = o.value
			t.markOverridden("contexts", sub)
			return nil
		},
		setSub: true,
		xbake: func(t *Target, v any) error {
			ctxs, err := yamlStringMap(v)
			if err == nil && len(ctxs) > 0 {
				merged := ComposeNamedContexts(ctxs)
				maps.Copy(merged, t.Contexts)
				t.Contexts = merged
			}
			return err
		},
		print: func(w *jsonWriter, t *Target) { w.optStringMap("contexts", redactContexts(t.Contexts)) },
		key: func(k *keyWriter, t *Target) {
			k.count(len(t.Contexts))
			for _, name := range slices.Sorted(maps.Keys(t.Contexts)) {
				k.str(name)
				if v := t.Contexts[name]; isTargetLink(v) {
					k.nil()
				} else {
					k.str(v)
				}
			}
		},
	}
}

// resources are cgroup limits, merged and set field by field.
func resources() *attribute {
	return &attribute{
		name:   "resources",
		decode: decodeResources,
		store:  func(t *Target, x any) { t.Resources, _ = x.(*Resources) },
		value:  resourcesValue,
		merge: func(t, o *Target) {
			if o.Resources != nil {
				t.Resources = t.Resources.merge(o.Resources)
			}
		},
		set: func(t *Target, o *override, sub string, _ *grants) error {
			r := &Resources{}
			if err := r.setString(sub, o.value); err != nil {
				return err
			}
			t.Resources = t.Resources.merge(r)
			return nil
		},
		setSub: true,
		print: func(w *jsonWriter, t *Target) {
			if r := t.Resources; r != nil {
				w.key("resources")
				r.writeJSON(w)
			}
		},
		key: func(k *keyWriter, t *Target) { k.resources(t.Resources) },
	}
}
