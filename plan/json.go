package plan

import (
	"encoding/json"
	"io"

	"github.com/containerd/platforms"
)

// The JSON of a plan (`xbake --plan`) is stable: structs fix the key order,
// nodes are in plan order, and lists that could be null are empty instead.
type jsonPlan struct {
	Solves   int         `json:"solves"`
	Merges   int         `json:"merges"`
	Native   int         `json:"native"`
	Emulated int         `json:"emulated"`
	Cross    int         `json:"cross,omitempty"`
	Nodes    []*jsonNode `json:"nodes"`
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
	Tests   []string   `json:"tests,omitempty"`
	// With a builder's platforms (see DockerfileBuild).
	Dockerfile   string      `json:"dockerfile,omitempty"`
	Images       []jsonImage `json:"images,omitempty"`
	EmulatedRuns []jsonRun   `json:"emulated_runs,omitempty"`

	// Merges only.
	Platforms []string `json:"platforms,omitempty"`
	Solves    []string `json:"solves,omitempty"`
}

type jsonImage struct {
	Ref       string `json:"ref"`
	Platform  string `json:"platform"`
	Line      int    `json:"line"`
	Stage     string `json:"stage,omitempty"`
	FilesOnly bool   `json:"files_only,omitempty"`
	Context   string `json:"context,omitempty"`
	Check     string `json:"check,omitempty"`
}

type jsonRun struct {
	Line      int    `json:"line"`
	Stage     string `json:"stage,omitempty"`
	Platform  string `json:"platform"`
	Command   string `json:"command"`
	Toolchain string `json:"toolchain,omitempty"`
	Advice    string `json:"advice,omitempty"`
}

type jsonLink struct {
	Name string `json:"name"`
	Node string `json:"node"`
}

// WriteJSON writes the plan as indented JSON (two spaces, trailing newline):
// counts of solves, merges, native and emulated solves, then every node in
// plan order with its ID, kind, target, platform, deps and level, plus
// default_platform and exec when set, a solve's role, targets and links
// (and, read from its Dockerfile, the images it pulls and its emulated
// RUN steps), and a merge's platforms and solves.
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
			for _, t := range s.Tests {
				jn.Tests = append(jn.Tests, t.Name)
			}
			jn.Dockerfile = s.Dockerfile
			for _, im := range s.Images {
				jn.Images = append(jn.Images, jsonImage{Ref: im.Ref, Platform: platforms.Format(im.Platform), Line: im.Line,
					Stage: im.Stage, FilesOnly: im.FilesOnly, Context: im.Context, Check: im.Check})
			}
			for _, r := range s.EmulatedRuns {
				jn.EmulatedRuns = append(jn.EmulatedRuns, jsonRun{Line: r.Line, Stage: r.Stage, Platform: platforms.Format(r.Platform),
					Command: r.Command, Toolchain: r.Toolchain, Advice: r.Advice})
			}
		}
		if m := n.Merge; m != nil {
			jn.Platforms = m.Platforms
			jn.Solves = m.Solves
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
