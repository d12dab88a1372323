package plan

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"

	"github.com/containerd/platforms"
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
	Unchanged int `json:"unchanged,omitempty"`
	// Builders are the nodes of Request.Nodes with the solves placed on
	// each, by how they run there.
	Builders []*jsonBuilder `json:"builders,omitempty"`
	Images   []*jsonBase    `json:"images,omitempty"`
	Nodes    []*jsonNode    `json:"nodes"`
}

type jsonBuilder struct {
	BuilderNode
	Solves         int `json:"solves"`
	NativeSolves   int `json:"native_solves"`
	CrossSolves    int `json:"cross_solves"`
	EmulatedSolves int `json:"emulated_solves"`
}

type jsonNode struct {
	ID              string   `json:"id"`
	Kind            Kind     `json:"kind"`
	Target          string   `json:"target"`
	Platform        string   `json:"platform"`
	DefaultPlatform bool     `json:"default_platform,omitempty"`
	Exec            Exec     `json:"exec,omitempty"`
	Builder         string   `json:"builder,omitempty"`
	Deps            []string `json:"deps"`
	Level           int      `json:"level"`

	// Solves only.
	Role    Role       `json:"role,omitempty"`
	Targets []string   `json:"targets,omitempty"`
	Links   []jsonLink `json:"links,omitempty"`
	Tests   []string   `json:"tests,omitempty"`
	// With a builder's platforms: the RUN steps under QEMU.
	EmulatedRuns []jsonRun `json:"emulated_runs,omitempty"`
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

// jsonBase is a base image the solves pull (with Request.Dockerfiles),
// once per platform.
type jsonBase struct {
	Ref      string `json:"ref"`
	Platform string `json:"platform"`
	Check    string `json:"check,omitempty"`
	// From are the FROM lines that pull it ("Dockerfile:3"), and Solves
	// how many solves do.
	From   []string `json:"from"`
	Solves int      `json:"solves"`
}

type jsonRun struct {
	File      string `json:"file,omitempty"`
	Line      int    `json:"line"`
	Stage     string `json:"stage,omitempty"`
	Platform  string `json:"platform"`
	Command   string `json:"command"`
	Toolchain string `json:"toolchain,omitempty"`
	Advice    string `json:"advice,omitempty"`
}

type jsonLink struct {
	Name  string `json:"name"`
	Node  string `json:"node"`
	Image string `json:"image,omitempty"`
}

// WriteJSON writes the plan as indented JSON (two spaces, trailing newline):
// counts of solves, merges, native, emulated and unchanged solves; with
// Request.Dockerfiles, the base images the solves pull, each reference and
// platform once with its check, FROM lines and number of solves; then
// every node in plan order with its ID, kind, target, platform, deps and
// level, plus default_platform and exec when set, a solve's role,
// targets, links, tests and RUN steps under QEMU, and a merge's platforms
// and solves; with input digests (see reuse.go), a solve's inputs digest
// and either unchanged with the manifest it reuses or what changed, and a
// merge's reused image.
func (p *Plan) WriteJSON(w io.Writer) error {
	out := jsonPlan{Nodes: make([]*jsonNode, 0, len(p.Nodes))}
	byName := map[string]*jsonBuilder{}
	for _, b := range p.Builders {
		jb := &jsonBuilder{BuilderNode: b}
		jb.BuilderNode.Native, jb.BuilderNode.Emulated = nonNil(b.Native), nonNil(b.Emulated)
		out.Builders = append(out.Builders, jb)
		byName[b.Name] = jb
	}
	for _, n := range p.Nodes {
		if jb := byName[n.Builder]; jb != nil {
			jb.Solves++
			switch n.Exec {
			case ExecNative:
				jb.NativeSolves++
			case ExecCross:
				jb.CrossSolves++
			case ExecEmulated:
				jb.EmulatedSolves++
			}
		}
		jn := &jsonNode{
			ID:              n.ID,
			Kind:            n.Kind,
			Target:          n.Target,
			Platform:        n.Platform,
			DefaultPlatform: n.DefaultPlatform,
			Exec:            n.Exec,
			Builder:         n.Builder,
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
			for _, r := range s.EmulatedRuns {
				jn.EmulatedRuns = append(jn.EmulatedRuns, jsonRun{File: s.Dockerfile, Line: r.Line, Stage: r.Stage,
					Platform: platforms.Format(r.Platform), Command: r.Command, Toolchain: r.Toolchain, Advice: r.Advice})
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
	out.Images = p.jsonBases()
	return encodeJSON(w, out)
}

// jsonBases lists the base images of the solves, each (reference,
// platform) once, sorted. Solves of one build share their Images, so
// each shared list is read once.
func (p *Plan) jsonBases() []*jsonBase {
	type list struct {
		images []BaseImage
		file   string
		solves int
	}
	index := map[*BaseImage]*list{}
	var lists []*list
	for _, n := range p.Nodes {
		if n.Solve == nil || len(n.Solve.Images) == 0 {
			continue
		}
		l := index[&n.Solve.Images[0]]
		if l == nil {
			l = &list{images: n.Solve.Images, file: cmp.Or(n.Solve.Dockerfile, "dockerfile-inline")}
			index[&n.Solve.Images[0]] = l
			lists = append(lists, l)
		}
		l.solves++
	}
	byKey := map[[2]string]*jsonBase{}
	var out []*jsonBase
	for _, l := range lists {
		for _, im := range l.images {
			k := [2]string{im.Ref, platforms.Format(im.Platform)}
			ji := byKey[k]
			if ji == nil {
				ji = &jsonBase{Ref: k[0], Platform: k[1], Check: im.Check}
				byKey[k] = ji
				out = append(out, ji)
			}
			ji.Solves += l.solves
			if from := fmt.Sprintf("%s:%d", l.file, im.Line); !slices.Contains(ji.From, from) {
				ji.From = append(ji.From, from)
			}
		}
	}
	for _, ji := range out {
		slices.Sort(ji.From)
	}
	slices.SortFunc(out, func(a, b *jsonBase) int {
		return cmp.Or(cmp.Compare(a.Ref, b.Ref), cmp.Compare(a.Platform, b.Platform))
	})
	return out
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
