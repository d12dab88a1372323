package schema

import (
	"github.com/hashicorp/hcl/v2"
)

// Block describes a block type: its labels, attributes and nested blocks.
// Attributes and blocks are ordered slices, never maps, so documentation,
// JSON Schema output and diagnostics list them in a stable order.
type Block struct {
	// Type is the block type keyword ("target"); empty for the file body.
	Type string
	// Labels names the block's labels ("name").
	Labels []string
	// LabelPattern, when set, is the regular expression every label must
	// match.
	LabelPattern string
	Description  string
	Attrs        []*Attr
	Blocks       []*Block
	// Extra says what becomes of attributes not in Attrs.
	Extra Extra
}

// Attr describes one attribute of a block, or one key of an object or
// entry type.
type Attr struct {
	Name     string
	Type     Type
	Required bool
	// Default is the value resolution fills in when the attribute is
	// unset: "." for context and "Dockerfile" for dockerfile. --print
	// always shows such an attribute.
	Default     string
	Description string
	// Deprecated, when set, says what to use instead; the attribute still
	// works.
	Deprecated string
	// Unsupported, when set, is the error reported when the attribute is
	// present at all (buildx's "name is not supported for groups").
	Unsupported string
	// Overridable means --set can change the attribute.
	Overridable bool
	// SetKey is the --set key when it differs from Name: buildx spells
	// platforms "platform" and secret "secrets" on the command line.
	SetKey string
	// NoPrint means the attribute never appears in --print output.
	NoPrint bool
}

// BodySchema returns the HCL schema of the block's body, for
// Body.Content and Body.PartialContent. It names every attribute of Attrs,
// including Unsupported ones so the decoder can find and reject them.
// Attributes of an Extra body are not in it: read them from the remaining
// body.
func (b *Block) BodySchema() *hcl.BodySchema {
	s := &hcl.BodySchema{
		Attributes: make([]hcl.AttributeSchema, 0, len(b.Attrs)),
		Blocks:     make([]hcl.BlockHeaderSchema, 0, len(b.Blocks)),
	}
	for _, a := range b.Attrs {
		s.Attributes = append(s.Attributes, hcl.AttributeSchema{Name: a.Name, Required: a.Required})
	}
	for _, c := range b.Blocks {
		s.Blocks = append(s.Blocks, hcl.BlockHeaderSchema{Type: c.Type, LabelNames: c.Labels})
	}
	return s
}

// Attr returns the attribute named name, or nil.
func (b *Block) Attr(name string) *Attr {
	for _, a := range b.Attrs {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// AttrNames returns the attribute names in order, for Suggest.
func (b *Block) AttrNames() []string {
	names := make([]string, len(b.Attrs))
	for i, a := range b.Attrs {
		names[i] = a.Name
	}
	return names
}

// Block returns the nested block type named typ, or nil.
func (b *Block) Block(typ string) *Block {
	for _, c := range b.Blocks {
		if c.Type == typ {
			return c
		}
	}
	return nil
}

// NamePattern is what buildx requires of target and group names (and of
// the names --set and the command line match).
const NamePattern = `^[a-zA-Z0-9_-]+$`
