package plan

import (
	"fmt"
	"io"
)

// GraphFormats are the formats WriteGraph accepts.
var GraphFormats = []string{"json", "dot", "mermaid"}

// WriteGraph draws the plan's DAG in format:
//
//   - "json": {"nodes":[{"id",...}],"edges":[{"from","to"}]}, an edge
//     going from a dependency to its dependent;
//   - "dot": a Graphviz digraph, left to right, solves as boxes, merges as
//     hexagons, emulated solves dashed and labelled;
//   - "mermaid": a `flowchart LR` that renders in GitHub Markdown (inside
//     a ```mermaid block), with the same shapes.
//
// Nodes are in plan order and each node's edges in dependency order, so
// the output is stable.
func (p *Plan) WriteGraph(w io.Writer, format string) error {
	switch format {
	case "json":
		return p.writeGraphJSON(w)
	case "dot":
		return p.writeDOT(w)
	case "mermaid":
		return p.writeMermaid(w)
	}
	return fmt.Errorf("unknown graph format %q (want json, dot or mermaid)", format)
}

type jsonGraph struct {
	Nodes []jsonGraphNode `json:"nodes"`
	Edges []jsonEdge      `json:"edges"`
}

type jsonGraphNode struct {
	ID       string `json:"id"`
	Kind     Kind   `json:"kind"`
	Target   string `json:"target"`
	Platform string `json:"platform"`
	Level    int    `json:"level"`
	Exec     Exec   `json:"exec,omitempty"`
}

type jsonEdge struct {
	From string `json:"from"`
	To   string `json:"to"`
}

func (p *Plan) writeGraphJSON(w io.Writer) error {
	g := jsonGraph{
		Nodes: make([]jsonGraphNode, 0, len(p.Nodes)),
		Edges: []jsonEdge{},
	}
	for _, n := range p.Nodes {
		g.Nodes = append(g.Nodes, jsonGraphNode{
			ID:       n.ID,
			Kind:     n.Kind,
			Target:   n.Target,
			Platform: n.Platform,
			Level:    n.Level,
			Exec:     n.Exec,
		})
		for _, d := range n.Deps {
			g.Edges = append(g.Edges, jsonEdge{From: d, To: n.ID})
		}
	}
	return encodeJSON(w, g)
}
