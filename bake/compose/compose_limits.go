package compose

import (
	"bytes"
	"strings"

	"go.yaml.in/yaml/v4"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/localfile"
)

// Compose files are measured before compose-go sees them: it is slow on
// large and deep documents (20,000 services made from one YAML anchor took
// 54 s, nesting 10,000 levels deep 126 s), and YAML aliases can make a
// small file expand to any size. Real Compose files have a few hundred
// nodes and nest a dozen levels.
const (
	// MaxComposeSize bounds the bytes of the Compose files of a run.
	MaxComposeSize = 1 << 20
	// MaxComposeNodes bounds the YAML nodes of the Compose files once
	// aliases are expanded (about a second of compose-go).
	MaxComposeNodes = 10000
	// MaxComposeDepth bounds how deeply mappings and sequences nest, once
	// aliases are expanded.
	MaxComposeDepth = 64
	// MaxScalarDollars bounds the "$" of one YAML value, and
	// MaxComposeDollars those of all values with aliases expanded:
	// compose-go's interpolation takes time that grows with the square of
	// the substitutions in a value (20,000 "${X:-a}" in one 140 KB value
	// took 63 s, 10,000 nested "${X:-" 32 s; 1,000 take 0.2 s).
	MaxScalarDollars  = 1000
	MaxComposeDollars = 10 * MaxScalarDollars
)

// composeSize returns an error when the files are larger than
// MaxComposeSize together; it runs before the YAML is parsed.
func composeSize(files []xhcl.File) *hcl.Diagnostic {
	size := 0
	for _, f := range files {
		if size += len(f.Data); size > MaxComposeSize {
			rng := hcl.Range{Filename: f.Name, Start: hcl.InitialPos, End: hcl.InitialPos}
			return xhcl.Errorf(&rng, "Compose file too large",
				"The Compose files are larger than %s together, which xbake does not read. Use fewer or smaller Compose files, or write the services as a bake file.", localfile.FormatSize(MaxComposeSize))
		}
	}
	return nil
}

// checkLimits returns an error when the files have more nodes or nest
// deeper than the limits above.
func (l *composeLocator) checkLimits() *hcl.Diagnostic {
	m := &yamlMeasure{memo: map[*yaml.Node]yamlSize{}}
	for _, f := range l.files {
		for _, doc := range f.docs {
			if n, deep := m.walk(doc, 0); n != nil {
				rng := f.rangeOf(n)
				if m.costly {
					return xhcl.Errorf(&rng, "Compose file too costly to interpolate",
						"This value, or all values with YAML aliases expanded by here, hold more than %d (one value) or %d (all) \"$\", which xbake does not interpolate: the time grows with the square of their number. Use fewer variables in one value.", MaxScalarDollars, MaxComposeDollars)
				}
				if deep {
					return xhcl.Errorf(&rng, "Compose file too deep",
						"Mappings and sequences nest more than %d levels deep here, with YAML aliases expanded, which xbake does not read. Flatten the document.", MaxComposeDepth)
				}
				return xhcl.Errorf(&rng, "Compose file too large",
					"With YAML aliases expanded, the Compose files have more than %d nodes by here, which xbake does not read. Use fewer aliases or services, or write them as a bake file.", MaxComposeNodes)
			}
		}
	}
	return nil
}

// yamlMeasure counts the nodes of YAML documents as compose-go sees them:
// an alias stands for a copy of its anchor.
type yamlMeasure struct {
	nodes   int
	dollars int  // the "$" of the values walked so far
	costly  bool // the limit passed is one of the "$"
	memo    map[*yaml.Node]yamlSize
}

type yamlSize struct{ nodes, height, dollars int }

// scalarDollars is what a value costs compose-go's interpolation.
func scalarDollars(n *yaml.Node) int {
	if n.Kind != yaml.ScalarNode {
		return 0
	}
	return strings.Count(n.Value, "$")
}

// walk adds the nodes under n (at depth) and returns the node where a
// limit is passed, and whether it is the depth.
func (m *yamlMeasure) walk(n *yaml.Node, depth int) (*yaml.Node, bool) {
	s := yamlSize{nodes: 1, height: 1, dollars: scalarDollars(n)}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		s = m.size(n.Alias)
	}
	if depth+s.height > MaxComposeDepth {
		return n, true
	}
	if m.dollars += s.dollars; s.dollars > MaxScalarDollars || m.dollars > MaxComposeDollars {
		m.costly = true
		return n, false
	}
	if m.nodes += s.nodes; m.nodes > MaxComposeNodes {
		return n, false
	}
	if n.Kind == yaml.AliasNode {
		return nil, false
	}
	for _, c := range n.Content {
		if bad, deep := m.walk(c, depth+1); bad != nil {
			return bad, deep
		}
	}
	return nil, false
}

// size is the expanded size of n, counted once per anchor; it saturates
// past the limits, so that an alias bomb costs no more than its nodes.
func (m *yamlMeasure) size(n *yaml.Node) yamlSize {
	if s, ok := m.memo[n]; ok {
		return s
	}
	m.memo[n] = yamlSize{nodes: MaxComposeNodes + 1, height: MaxComposeDepth + 1} // a cycle is over the limits
	s := yamlSize{nodes: 1, height: 1, dollars: scalarDollars(n)}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		s = m.size(n.Alias)
	}
	for _, c := range n.Content {
		cs := m.size(c)
		s.nodes = min(s.nodes+cs.nodes, MaxComposeNodes+1)
		s.height = max(s.height, min(cs.height+1, MaxComposeDepth+1))
		s.dollars = min(s.dollars+cs.dollars, MaxComposeDollars+1)
	}
	m.memo[n] = s
	return s
}

// looksLikeCompose says whether a definition too large to load as Compose
// was meant to be one (then LoadCompose reports the limit): a top-level
// services key near its start.
func looksLikeCompose(data []byte) bool {
	head := data[:min(len(data), 64<<10)]
	return bytes.HasPrefix(head, []byte("services:")) || bytes.Contains(head, []byte("\nservices:"))
}
