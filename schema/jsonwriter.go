package schema

import (
	"bytes"
	"encoding/json"
)

// object is a JSON object that keeps its keys in insertion order, so the
// emitted schemas read in schema order (encoding/json sorts map keys).
type object []member

type member struct {
	key string
	val any
}

// set appends key, or replaces its value when already present, and
// returns the updated object.
func (o *object) set(key string, val any) object {
	for i := range *o {
		if (*o)[i].key == key {
			(*o)[i].val = val
			return *o
		}
	}
	*o = append(*o, member{key, val})
	return *o
}

func (o object) has(key string) bool {
	for _, m := range o {
		if m.key == key {
			return true
		}
	}
	return false
}

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		if err := encodeTo(&b, m.key); err != nil {
			return nil, err
		}
		b.WriteByte(':')
		if err := encodeTo(&b, m.val); err != nil {
			return nil, err
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// encodeTo writes v without HTML escaping: descriptions say
// "target:<name>", and \u003c would make the committed files hard to read.
func encodeTo(b *bytes.Buffer, v any) error {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// render returns v as two-space indented JSON with a trailing newline.
func render(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
