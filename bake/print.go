package bake

import (
	"io"
	"slices"
	"strings"
)

// escape keeps printed values valid as bake files: "${" and "%{" would be
// read back as template syntax.
func escape(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
}

// writeJSON writes the target as `docker buildx bake --print` does:
// buildx's keys in buildx's order, empty values left out, maps sorted, and
// "${" escaped in annotations, dockerfile-inline, args, labels and
// extra-hosts.
func (t *Target) writeJSON(w *jsonWriter) {
	w.beginObject()
	w.optString("description", t.Description)
	if len(t.Annotations) > 0 {
		w.key("annotations")
		w.beginArray()
		for _, a := range t.Annotations {
			w.arrayElem()
			w.str(escape(a))
		}
		w.endArray()
	}
	if len(t.Attest) > 0 {
		w.key("attest")
		w.beginArray()
		for _, a := range t.Attest {
			w.arrayElem()
			a.writeJSON(w)
		}
		w.endArray()
	}
	w.optStringPtr("context", redactContext(t.Context))
	w.optStringMap("contexts", redactContexts(t.Contexts))
	w.optStringPtr("dockerfile", t.Dockerfile)
	if t.DockerfileInline != nil {
		w.key("dockerfile-inline")
		w.str(escape(*t.DockerfileInline))
	}
	w.optNullableMap("args", t.Args, true)
	w.optNullableMap("labels", t.Labels, true)
	w.optStrings("tags", t.Tags)
	writeEntries(w, "cache-from", t.CacheFrom, (*CacheEntry).Map)
	writeEntries(w, "cache-to", t.CacheTo, (*CacheEntry).Map)
	w.optStringPtr("target", t.Target)
	if len(t.Secrets) > 0 {
		w.key("secret")
		w.beginArray()
		for _, s := range t.Secrets {
			w.arrayElem()
			w.beginObject()
			w.optString("id", s.ID)
			w.optString("src", s.FilePath)
			w.optString("env", s.Env)
			w.endObject()
		}
		w.endArray()
	}
	if len(t.SSH) > 0 {
		w.key("ssh")
		w.beginArray()
		for _, s := range t.SSH {
			w.arrayElem()
			w.beginObject()
			w.optString("id", s.ID)
			w.optStrings("paths", s.Paths)
			w.endObject()
		}
		w.endArray()
	}
	w.optStrings("platforms", t.Platforms)
	writeEntries(w, "output", t.Outputs, (*Export).Map)
	w.optBoolPtr("pull", t.Pull)
	w.optBoolPtr("no-cache", t.NoCache)
	w.optStringPtr("network", t.Network)
	w.optStrings("no-cache-filter", t.NoCacheFilter)
	w.optStringPtr("shm-size", t.ShmSize)
	w.optStrings("ulimits", t.Ulimits)
	if r := t.Resources; r != nil {
		w.key("resources")
		w.beginObject()
		w.optStringPtr("memory", r.Memory)
		w.optStringPtr("memory-swap", r.MemorySwap)
		w.optIntPtr("cpu-shares", r.CPUShares)
		w.optIntPtr("cpu-period", r.CPUPeriod)
		w.optIntPtr("cpu-quota", r.CPUQuota)
		w.optStringPtr("cpuset-cpus", r.CPUSetCPUs)
		w.optStringPtr("cpuset-mems", r.CPUSetMems)
		w.endObject()
	}
	w.optStringPtr("call", t.Call)
	w.optStrings("entitlements", t.Entitlements)
	w.optNullableMap("extra-hosts", t.ExtraHosts, true)
	if len(t.Policy) > 0 {
		w.key("policy")
		w.beginArray()
		for _, p := range t.Policy {
			w.arrayElem()
			p.writeJSON(w)
		}
		w.endArray()
	}
	w.endObject()
}

func writeEntries[E any](w *jsonWriter, key string, list []E, toMap func(E) map[string]string) {
	if len(list) == 0 {
		return
	}
	w.key(key)
	w.beginArray()
	for _, e := range list {
		w.arrayElem()
		w.stringMap(toMap(e))
	}
	w.endArray()
}

func (a *Attest) writeJSON(w *jsonWriter) {
	keys := make([]string, 0, len(a.Attrs)+2)
	for k := range a.Attrs {
		if k != "type" && k != "disabled" {
			keys = append(keys, k)
		}
	}
	keys = append(keys, "type")
	if a.Disabled {
		keys = append(keys, "disabled")
	}
	slices.Sort(keys)
	w.beginObject()
	for _, k := range keys {
		w.key(k)
		switch k {
		case "type":
			w.str(a.Type)
		case "disabled":
			w.boolean(true)
		default:
			w.str(a.Attrs[k])
		}
	}
	w.endObject()
}

func (p *Policy) writeJSON(w *jsonWriter) {
	w.beginObject()
	w.optString("filename", p.Filename)
	w.optBoolPtr("reset", p.Reset)
	w.optBoolPtr("disabled", p.Disabled)
	w.optBoolPtr("strict", p.Strict)
	w.optString("log-level", p.LogLevel)
	w.endObject()
}

// MarshalJSON prints the target as `docker buildx bake --print` does.
func (t *Target) MarshalJSON() ([]byte, error) {
	w := &jsonWriter{}
	t.writeJSON(w)
	return w.buf, nil
}

// WritePrint writes the definition exactly as `docker buildx bake --print`
// does: {"group":{...},"target":{...}} with sorted keys, two-space indent
// and a final newline.
func (d *Definition) WritePrint(out io.Writer) error {
	w := &jsonWriter{indent: "  ", buf: make([]byte, 0, 64<<10)}
	w.beginObject()
	if len(d.Groups) > 0 {
		w.key("group")
		w.beginObject()
		for _, g := range d.Groups {
			w.key(g.Name)
			w.beginObject()
			w.optString("description", g.Description)
			w.key("targets")
			if g.Targets == nil {
				w.buf = append(w.buf, "null"...)
			} else {
				w.strings(g.Targets)
			}
			w.endObject()
		}
		w.endObject()
	}
	w.key("target")
	w.beginObject()
	for _, t := range d.Targets {
		w.key(t.Name)
		t.writeJSON(w)
		// Stream: thousands of targets need not be held as one buffer.
		if len(w.buf) > 48<<10 {
			if _, err := out.Write(w.buf); err != nil {
				return err
			}
			w.buf = w.buf[:0]
		}
	}
	w.endObject()
	w.endObject()
	w.buf = append(w.buf, '\n')
	_, err := out.Write(w.buf)
	return err
}
