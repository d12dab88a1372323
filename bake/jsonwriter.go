package bake

import (
	"maps"
	"slices"
	"strconv"
	"unicode/utf8"
)

// jsonWriter writes JSON exactly as encoding/json's MarshalIndent does
// (HTML-safe escaping, sorted map keys are the caller's job), without
// reflection: --print of thousands of targets spends most of its time
// here otherwise.
type jsonWriter struct {
	buf    []byte
	indent string // "" writes compact JSON
	stack  []bool // per open container: whether it has an element yet
}

func (w *jsonWriter) newline() {
	if w.indent == "" {
		return
	}
	w.buf = append(w.buf, '\n')
	for range w.stack {
		w.buf = append(w.buf, w.indent...)
	}
}

// elem starts an element of the innermost container.
func (w *jsonWriter) elem() {
	if n := len(w.stack); n > 0 {
		if w.stack[n-1] {
			w.buf = append(w.buf, ',')
		}
		w.stack[n-1] = true
		w.newline()
	}
}

func (w *jsonWriter) open(c byte) {
	w.buf = append(w.buf, c)
	w.stack = append(w.stack, false)
}

func (w *jsonWriter) close(c byte) {
	had := w.stack[len(w.stack)-1]
	w.stack = w.stack[:len(w.stack)-1]
	if had {
		w.newline()
	}
	w.buf = append(w.buf, c)
}

func (w *jsonWriter) beginObject() { w.open('{') }
func (w *jsonWriter) endObject()   { w.close('}') }
func (w *jsonWriter) beginArray()  { w.open('[') }
func (w *jsonWriter) endArray()    { w.close(']') }

// key writes an object key; the value follows.
func (w *jsonWriter) key(k string) {
	w.elem()
	w.buf = appendJSONString(w.buf, k)
	w.buf = append(w.buf, ':')
	if w.indent != "" {
		w.buf = append(w.buf, ' ')
	}
}

func (w *jsonWriter) str(s string) { w.buf = appendJSONString(w.buf, s) }
func (w *jsonWriter) boolean(b bool) {
	w.buf = strconv.AppendBool(w.buf, b)
}
func (w *jsonWriter) int(n int64) { w.buf = strconv.AppendInt(w.buf, n, 10) }

// arrayElem starts an element of an array.
func (w *jsonWriter) arrayElem() { w.elem() }

func (w *jsonWriter) strings(ss []string) {
	w.beginArray()
	for _, s := range ss {
		w.arrayElem()
		w.str(s)
	}
	w.endArray()
}

// stringMap writes a map with sorted keys.
func (w *jsonWriter) stringMap(m map[string]string) {
	w.beginObject()
	for _, k := range slices.Sorted(maps.Keys(m)) {
		w.key(k)
		w.str(m[k])
	}
	w.endObject()
}

// Field helpers that leave out empty values, like `omitempty`.

func (w *jsonWriter) optString(k, v string) {
	if v != "" {
		w.key(k)
		w.str(v)
	}
}

func (w *jsonWriter) optStringPtr(k string, v *string) {
	if v != nil {
		w.key(k)
		w.str(*v)
	}
}

func (w *jsonWriter) optBoolPtr(k string, v *bool) {
	if v != nil {
		w.key(k)
		w.boolean(*v)
	}
}

func (w *jsonWriter) optIntPtr(k string, v *int64) {
	if v != nil {
		w.key(k)
		w.int(*v)
	}
}

func (w *jsonWriter) optStrings(k string, v []string) {
	if len(v) > 0 {
		w.key(k)
		w.strings(v)
	}
}

func (w *jsonWriter) optStringMap(k string, m map[string]string) {
	if len(m) > 0 {
		w.key(k)
		w.stringMap(m)
	}
}

// optNullableMap writes a map whose nil values mean unset; like buildx it
// escapes "${" and "%{" in values when escape is set.
func (w *jsonWriter) optNullableMap(k string, m map[string]*string, esc bool) {
	keys := make([]string, 0, len(m))
	for mk, v := range m {
		if v != nil {
			keys = append(keys, mk)
		}
	}
	if len(keys) == 0 {
		return
	}
	slices.Sort(keys)
	w.key(k)
	w.beginObject()
	for _, mk := range keys {
		w.key(mk)
		if esc {
			w.str(escape(*m[mk]))
		} else {
			w.str(*m[mk])
		}
	}
	w.endObject()
}

const hexDigits = "0123456789abcdef"

// appendJSONString quotes s as encoding/json does with HTML escaping:
// <, > and & as \u003c and friends, invalid UTF-8 as \ufffd, and U+2028
// and U+2029 escaped.
func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if b >= 0x20 && b != '"' && b != '\\' && b != '<' && b != '>' && b != '&' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch b {
			case '\\', '"':
				dst = append(dst, '\\', b)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[b>>4], hexDigits[b&0xF])
			}
			i++
			start = i
			continue
		}
		c, size := utf8.DecodeRuneInString(s[i:])
		if c == utf8.RuneError && size == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if c == '\u2028' || c == '\u2029' {
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[c&0xF])
			i += size
			start = i
			continue
		}
		i += size
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
