package plan

import (
	"bufio"
	"io"
	"strings"
)

// writeDOT writes a Graphviz digraph. Every ID is quoted, since IDs hold
// "@", "/" and "#".
func (p *Plan) writeDOT(w io.Writer) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph plan {\n")
	bw.WriteString("  rankdir=LR;\n")
	bw.WriteString("  node [fontname=\"Helvetica\", fontsize=11];\n")
	for _, n := range p.Nodes {
		bw.WriteString("  " + dotQuote(n.ID) + " [")
		switch {
		case n.Kind == KindMerge:
			bw.WriteString("shape=hexagon")
		case n.Exec == ExecEmulated:
			bw.WriteString("shape=box, style=dashed, label=" + dotQuote(n.ID+"\n(emulated)"))
		case n.Exec == ExecCross:
			bw.WriteString("shape=box, label=" + dotQuote(n.ID+"\n(cross)"))
		default:
			bw.WriteString("shape=box")
		}
		bw.WriteString("];\n")
	}
	for _, n := range p.Nodes {
		for _, d := range n.Deps {
			bw.WriteString("  " + dotQuote(d) + " -> " + dotQuote(n.ID) + ";\n")
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

var dotEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

func dotQuote(s string) string {
	return `"` + dotEscaper.Replace(s) + `"`
}
