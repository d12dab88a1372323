package bake

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/schema"
)

// override is one --set key of one target, with every value given for it
// across repeated flags.
type override struct {
	key    string // "tags", "args.FOO", "contexts.base"
	value  string // the last scalar value
	values []string
	// append is decided by the last flag for the key: "+=" appends to the
	// file's value, "=" replaces it (with every value given so far).
	append bool
	flag   string // the last flag, for messages
}

// parseOverrides parses --set flags into ordered overrides per target name.
// Patterns are matched against every target name of the definition.
func (c *Config) parseOverrides(sets []string, lookupEnv func(string) (string, bool)) (map[string][]*override, hcl.Diagnostics) {
	out := map[string][]*override{}
	var diags hcl.Diagnostics
	for _, flag := range sets {
		lhs, value, hasValue := strings.Cut(flag, "=")
		appendTo := strings.HasSuffix(lhs, "+")
		lhs = strings.TrimSuffix(lhs, "+")
		keys := strings.SplitN(lhs, ".", 3)
		if len(keys) < 2 {
			diags = append(diags, setError(flag, "the key must be TARGET.ATTRIBUTE, for example --set app.tags=app:dev"))
			continue
		}
		a := attrBySetKey[keys[1]]
		fromEnv := a != nil && a.setFromEnv
		if !hasValue && !fromEnv {
			diags = append(diags, setError(flag, "a value is missing: write --set %s=VALUE", lhs))
			continue
		}
		if (a != nil && a.setSub) || keys[1] == "secret" {
			if len(keys) != 3 || keys[2] == "" {
				diags = append(diags, setError(flag, "%s needs a name: --set %s.%s.NAME=VALUE", keys[1], keys[0], keys[1]))
				continue
			}
		}
		if fromEnv && !hasValue && lookupEnv != nil {
			// --set t.args.K takes K from the environment, if set. With the
			// lookup disabled, buildx sets K to "": so does xbake.
			v, ok := lookupEnv(keys[2])
			if !ok {
				continue
			}
			value = v
		}
		names, err := c.expandTargets(keys[0])
		if err != nil {
			diags = append(diags, setError(flag, "%s", err))
			continue
		}
		okey := strings.Join(keys[1:], ".")
		for _, name := range names {
			o := findOverride(out[name], okey)
			if o == nil {
				o = &override{key: okey}
				out[name] = append(out[name], o)
			}
			o.flag = flag
			o.value = value
			if a != nil && a.setList {
				o.values = append(o.values, value)
				o.append = appendTo
			}
		}
	}
	return out, diags
}

func findOverride(list []*override, key string) *override {
	for _, o := range list {
		if o.key == key {
			return o
		}
	}
	return nil
}

func setError(flag, format string, args ...any) *hcl.Diagnostic {
	return xhcl.Errorf(nil, "Invalid --set", "--set %s: %s.", flag, fmt.Sprintf(format, args...))
}

// SetMatches reports whether the target pattern of a --set flag
// ("PATTERN.KEY=VALUE") matches a target of c, as Resolve requires of
// every flag.
func (c *Config) SetMatches(flag string) bool {
	lhs, _, _ := strings.Cut(flag, "=")
	pattern, _, _ := strings.Cut(lhs, ".")
	_, err := c.expandTargets(pattern)
	return err == nil
}

// expandTargets matches a --set pattern against target names: an exact
// name first, then a path.Match glob.
func (c *Config) expandTargets(pattern string) ([]string, error) {
	if c.hasTarget(pattern) {
		return []string{pattern}, nil
	}
	var names []string
	all := c.TargetNames()
	for _, name := range all {
		ok, err := path.Match(pattern, name)
		if err != nil {
			return nil, fmt.Errorf("invalid pattern %q: %v", pattern, err)
		}
		if ok {
			names = append(names, name)
		}
	}
	if len(names) == 0 {
		msg := fmt.Sprintf("no target matches %q", pattern)
		if s := xhcl.Suggest(pattern, all); s != "" {
			msg += fmt.Sprintf(" (did you mean %q?)", s)
		}
		return nil, fmt.Errorf("%s", msg)
	}
	return names, nil
}

// grants are privileges that --set values imply: paths the user typed on
// the command line and entitlements set with --set are granted.
type grants struct {
	entitlements []string
	fsRead       []string
	fsWrite      []string
}

// applyOverrides applies one target's overrides in the order they were
// first given.
func (t *Target) applyOverrides(ovs []*override, g *grants) hcl.Diagnostics {
	var diags hcl.Diagnostics
	for _, o := range ovs {
		if err := t.applyOverride(o, g); err != nil {
			diags = append(diags, setError(o.flag, "%s", err))
		}
	}
	return diags
}

// applyOverride applies one --set key: an attribute's (the set column of
// the attribute table), or one of the keys that are no attribute:
// secret.ID changes where a declared secret comes from, push and load
// edit the outputs.
func (t *Target) applyOverride(o *override, g *grants) error {
	key, sub, _ := strings.Cut(o.key, ".")
	if a := attrBySetKey[key]; a != nil {
		return a.set(t, o, sub, g)
	}
	switch key {
	case "secret":
		return t.overrideSecret(sub, o.value, g)
	case "push", "load":
		b, err := parseSetBool(o.value)
		if err != nil {
			return err
		}
		if key == "push" {
			t.Outputs = setPush(t.Outputs, b)
		} else {
			t.Outputs = setLoad(t.Outputs, b)
		}
		return nil
	}
	msg := fmt.Sprintf("unknown key %q", key)
	if s := xhcl.Suggest(key, schema.SetKeys()); s != "" {
		msg += fmt.Sprintf("; did you mean %q?", s)
	}
	return fmt.Errorf("%s (%s cannot be overridden)", msg, notOverridable)
}

// notOverridable names the attributes --set refuses, as buildx's message
// does; TestAttributeTable checks it against the table.
const notOverridable = "inherits, dockerfile-inline, description, name and matrix"

func appendIf(list []string, s string) []string {
	if s == "" {
		return list
	}
	return append(list, s)
}

func setNullable(m map[string]*string, k, v string) map[string]*string {
	if m == nil {
		m = map[string]*string{}
	}
	m[k] = &v
	return m
}

func parseEach[E any](values []string, parse func(string) ([]E, error)) ([]E, error) {
	out := []E{}
	for _, v := range values {
		if v == "" {
			continue
		}
		es, err := parse(v)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", v, err)
		}
		out = append(out, es...)
	}
	return out, nil
}

// overrideSecret changes where an already declared secret comes from.
func (t *Target) overrideSecret(id, value string, g *grants) error {
	s, err := ParseSecret(value)
	if err != nil {
		return err
	}
	if s.ID != "" && s.ID != id {
		return fmt.Errorf("secret id %q does not match the key secret.%s", s.ID, id)
	}
	for i, old := range t.Secrets {
		if old.ID == id {
			t.Secrets = slices.Clone(t.Secrets)
			t.Secrets[i] = &Secret{ID: id, FilePath: s.FilePath, Env: s.Env}
			g.fsRead = appendIf(g.fsRead, s.FilePath)
			return nil
		}
	}
	return fmt.Errorf("secret %q must be declared before it can be overridden", id)
}

// setPush is --push / --set t.push: push=true on image outputs, or a new
// type=image,push=true output unless another non-docker output exists;
// push=false drops registry outputs and sets push=false on image ones.
func setPush(outputs []*Export, push bool) []*Export {
	out := slices.Clone(outputs)
	if !push {
		// buildx drops a registry output by swapping it with the last one,
		// which moves that one into its place; --print shows the order.
		for i := 0; i < len(out); {
			switch out[i].Type {
			case "registry":
				out[i], out[len(out)-1] = out[len(out)-1], out[i]
				out = out[:len(out)-1]
				continue
			case "image":
				out[i] = out[i].withAttr("push", "false")
			}
			i++
		}
		return out
	}
	addImage := true
	for i, e := range out {
		if e.Type != "docker" {
			addImage = false
		}
		if e.Type == "image" {
			out[i] = e.withAttr("push", "true")
		}
	}
	if addImage {
		out = append(out, &Export{Type: "image", Attrs: map[string]string{"push": "true"}})
	}
	return out
}

// setLoad is --load / --set t.load: adds type=docker unless a docker output
// without dest exists, or an output other than image, registry or oci does.
func setLoad(outputs []*Export, load bool) []*Export {
	if !load {
		return outputs
	}
	for _, e := range outputs {
		switch e.Type {
		case "docker":
			if e.Dest == "" {
				return outputs
			}
		case "image", "registry", "oci":
		default:
			return outputs
		}
	}
	return append(slices.Clone(outputs), &Export{Type: "docker", Attrs: map[string]string{}})
}

func (e *Export) withAttr(k, v string) *Export {
	c := &Export{Type: e.Type, Dest: e.Dest, Attrs: map[string]string{}}
	for ak, av := range e.Attrs {
		c.Attrs[ak] = av
	}
	c.Attrs[k] = v
	return c
}

// markOverridden records that a value came from --set: it has no position,
// and BUILDX_BAKE_FILE_RELATIVE_PATHS never rebases it.
func (t *Target) markOverridden(attr, key string) {
	layer := &Source{Attrs: map[string]hcl.Range{}, Elems: map[string]hcl.Range{}}
	if key == "" {
		layer.Attrs[attr] = hcl.Range{}
	} else {
		layer.Elems[attr+"."+key] = hcl.Range{}
	}
	t.Source = t.Source.merge(layer)
}
