package plan

import (
	"encoding/json"
	"io"
)

// The JSON of a plan (`xbake --plan`) is stable: structs fix the key order,
// nodes are in plan order, and lists that could be null are empty instead.
type jsonPlan struct {
	Solves   int `json:"solves"`
	Merges   int `json:"merges"`
	Native   int `json:"native"`
	Emulated int `json:"emulated"`
	Cross    int `json:"cross,omitempty"`
	// Unchanged counts the solves skipped (Request.Unchanged).
	Unchanged int         `json:"unchanged,omitempty"`
	Nodes     []*jsonNode `json:"nodes"`
}

type jsonNode struct {
	ID              string   `json:"id"`
	Kind            Kind     `json:"kind"`
	Target          string   `json:"target"`
	Platform        string   `json:"platform"`
	DefaultPlatform bool     `json:"default_platform,omitempty"`
	Exec            Exec     `json:"exec,omitempty"`
	Deps            []string `json:"deps"`
	Level           int      `json:"level"`

	// Solves only.
	Role    Role       `json:"role,omitempty"`
	Targets []string   `json:"targets,omitempty"`
	Links   []jsonLink `json:"links,omitempty"`
	// Inputs, Unchanged, Reused and Changed: with Request.Inputs.
	Inputs    string   `json:"inputs,omitempty"`
	Unchanged bool     `json:"unchanged,omitempty"`
	Reused    string   `json:"reused,omitempty"`
	Changed   []string `json:"changed,omitempty"`

	// Merges only.
	Platforms []string `json:"platforms,omitempty"`
	Solves    []string `json:"solves,omitempty"`
	Reuse     string   `json:"reuse,omitempty"`
}

type jsonLink struct {
	Name  string `json:"name"`
	Node  string `json:"node"`
	Image string `json:"image,omitempty"`
}

// WriteJSON writes the plan as indented JSON (two spaces, trailing newline):
// counts of solves, merges, native and emulated solves, then every node in
// plan order with its ID, kind, target, platform, deps and level, plus
// default_platform and exec when set, a solve's role, targets and links,
// and a merge's platforms and solves; with input digests (see reuse.go),
// a solve's inputs digest and either unchanged with the manifest it
// reuses or what changed, and a merge's reused image.
func (p *Plan) WriteJSON(w io.Writer) error {
	out := jsonPlan{Nodes: make([]*jsonNode, 0, len(p.Nodes))}
	for _, n := range p.Nodes {
		jn := &jsonNode{
			ID:              n.ID,
			Kind:            n.Kind,
			Target:          n.Target,
			Platform:        n.Platform,
			DefaultPlatform: n.DefaultPlatform,
			Exec:            n.Exec,
			Deps:            nonNil(n.Deps),
			Level:           n.Level,
		}
		switch n.Kind {
		case KindSolve:
			out.Solves++
		case KindMerge:
			out.Merges++
		}
		switch n.Exec {
		case ExecNative:
			out.Native++
		case ExecEmulated:
			out.Emulated++
		case ExecCross:
			out.Cross++
		}
		if s := n.Solve; s != nil {
			jn.Role = s.Role
			for _, t := range s.Targets {
				jn.Targets = append(jn.Targets, t.Name)
			}
			for _, l := range s.Links {
				jn.Links = append(jn.Links, jsonLink(l))
			}
			if s.Inputs != nil {
				jn.Inputs, jn.Changed = s.Inputs.Digest, s.Inputs.Changed
			}
			if s.Unchanged {
				out.Unchanged++
				jn.Unchanged, jn.Reused = true, string(s.Reused.Digest)
			}
		}
		if m := n.Merge; m != nil {
			jn.Platforms = m.Platforms
			jn.Solves = m.Solves
			if m.Reuse != nil {
				jn.Reuse = m.Reuse.Ref
			}
		}
		out.Nodes = append(out.Nodes, jn)
	}
	return encodeJSON(w, out)
}

func encodeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// IDs and names are shown to people: keep "<" and "&" readable.
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
