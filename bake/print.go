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
// buildx's keys in buildx's order (the print column of the attribute
// table), empty values left out, maps sorted, and "${" escaped in
// annotations, dockerfile-inline, args, labels and extra-hosts.
func (t *Target) writeJSON(w *jsonWriter) {
	w.beginObject()
	for _, a := range targetAttrs {
		a.print(w, t)
	}
	w.endObject()
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
