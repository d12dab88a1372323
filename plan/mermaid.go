package plan

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// writeMermaid writes a Mermaid flowchart. Mermaid node IDs allow few
// characters, so each node gets a sanitised identifier ("s_" or "m_" and
// the ID with every other character as "_", numbered on a clash) and shows
// its real ID as the label.
func (p *Plan) writeMermaid(w io.Writer) error {
	ids := mermaidIDs(p.Nodes)
	bw := bufio.NewWriter(w)
	bw.WriteString("flowchart LR\n")
	emulated := false
	for _, n := range p.Nodes {
		label := mermaidLabel(n.ID)
		bw.WriteString("  " + ids[n.ID])
		switch {
		case n.Kind == KindMerge:
			bw.WriteString(`{{"` + label + `"}}`)
		case n.Exec == ExecEmulated:
			bw.WriteString(`["` + label + ` (emulated)"]:::emulated`)
			emulated = true
		case n.Exec == ExecCross:
			bw.WriteString(`["` + label + ` (cross)"]`)
		default:
			bw.WriteString(`["` + label + `"]`)
		}
		bw.WriteString("\n")
	}
	for _, n := range p.Nodes {
		for _, d := range n.Deps {
			bw.WriteString("  " + ids[d] + " --> " + ids[n.ID] + "\n")
		}
	}
	if emulated {
		bw.WriteString("  classDef emulated stroke-dasharray: 5 5\n")
	}
	return bw.Flush()
}

// mermaidIDs gives each node a unique identifier made of letters, digits
// and "_", assigned in plan order so that clashes resolve the same way on
// every run. The kind prefix keeps identifiers off Mermaid's keywords
// ("end", "graph") and away from a leading "o" or "x", which Mermaid would
// read as an edge end.
func mermaidIDs(nodes []*Node) map[string]string {
	ids := make(map[string]string, len(nodes))
	used := make(map[string]bool, len(nodes))
	var sb strings.Builder
	for _, n := range nodes {
		sb.Reset()
		if n.Kind == KindMerge {
			sb.WriteString("m_")
		} else {
			sb.WriteString("s_")
		}
		for i := 0; i < len(n.ID); i++ {
			c := n.ID[i]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
				sb.WriteByte(c)
			} else {
				sb.WriteByte('_')
			}
		}
		id := sb.String()
		for k := 2; used[id]; k++ {
			id = sb.String() + "_" + strconv.Itoa(k)
		}
		used[id] = true
		ids[n.ID] = id
	}
	return ids
}

// mermaidLabel escapes the characters that end or reinterpret a quoted
// Mermaid label, with Mermaid's "#name;" and "#code;" entities.
var mermaidLabel = strings.NewReplacer(
	`#`, "#35;",
	`"`, "#quot;",
	`<`, "#lt;",
	`>`, "#gt;",
	`&`, "#amp;",
	"`", "#96;",
	"\n", " ",
).Replace
