package plan_test

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
)

// fx describes one target of a test definition. define renders the
// targets as the bake file a user would write and records the positions
// that package bake would (the block label, each platform element, each
// context value), so diagnostics can be asserted at file:line:col.
type fx struct {
	name       string
	platforms  []string
	contexts   []kv // in the order written
	dockerfile string
	stage      string
	call       string
	args       []kv
	tags       []string
	outputs    []string // CSV, as written in `output`
	linked     bool     // not requested: a dependency only
	comment    string   // a line above the block, to say what it shows
	mod        func(*bake.Target)
}

type kv struct{ k, v string }

const fixtureFile = "xbuild.hcl"

// define builds the Definition and returns it with the rendered file.
func define(targets ...fx) (*bake.Definition, string) {
	r := &renderer{}
	def := &bake.Definition{}
	for i, f := range targets {
		if i > 0 {
			r.line("")
		}
		def.Targets = append(def.Targets, r.target(f))
	}
	return def, r.sb.String()
}

type renderer struct {
	sb    strings.Builder
	lines int // lines written
}

// line writes one line and returns the position of its first byte.
func (r *renderer) lineAt(text string) hcl.Pos {
	pos := hcl.Pos{Line: r.lines + 1, Column: 1, Byte: r.sb.Len()}
	r.sb.WriteString(text + "\n")
	r.lines++
	return pos
}

func (r *renderer) line(text string) { r.lineAt(text) }

// rangeIn is the range of the n bytes at offset off of a line at pos.
func rangeIn(pos hcl.Pos, off, n int) hcl.Range {
	start := hcl.Pos{Line: pos.Line, Column: pos.Column + off, Byte: pos.Byte + off}
	end := hcl.Pos{Line: pos.Line, Column: start.Column + n, Byte: start.Byte + n}
	return hcl.Range{Filename: fixtureFile, Start: start, End: end}
}

func (r *renderer) target(f fx) *bake.Target {
	t := &bake.Target{Name: f.name, Linked: f.linked, Tags: f.tags}
	src := &bake.Source{Attrs: map[string]hcl.Range{}, Elems: map[string]hcl.Range{}}
	t.Source = src
	if f.linked {
		r.line("# Not requested: built only as a dependency (linked).")
	}
	if f.comment != "" {
		r.line("# " + f.comment)
	}
	head := fmt.Sprintf("target %q {", f.name)
	pos := r.lineAt(head)
	src.DeclRange = rangeIn(pos, len("target "), len(fmt.Sprintf("%q", f.name)))
	if f.dockerfile != "" {
		t.Dockerfile = &f.dockerfile
		r.line(fmt.Sprintf("  dockerfile = %q", f.dockerfile))
	}
	if f.stage != "" {
		t.Target = &f.stage
		r.line(fmt.Sprintf("  target = %q", f.stage))
	}
	if f.call != "" {
		t.Call = &f.call
		r.line(fmt.Sprintf("  call = %q", f.call))
	}
	if f.platforms != nil {
		t.Platforms = f.platforms
		prefix := "  platforms = ["
		line := prefix
		var offs []int
		for i, p := range f.platforms {
			if i > 0 {
				line += ", "
			}
			offs = append(offs, len(line))
			line += fmt.Sprintf("%q", p)
		}
		pos := r.lineAt(line + "]")
		src.Attrs["platforms"] = rangeIn(pos, len(prefix)-1, len(line)+1-len(prefix)+1)
		for i, p := range f.platforms {
			src.Elems[fmt.Sprintf("platforms.%d", i)] = rangeIn(pos, offs[i], len(fmt.Sprintf("%q", p)))
		}
	}
	if f.contexts != nil {
		t.Contexts = map[string]string{}
		open := r.lineAt("  contexts = {")
		for _, c := range f.contexts {
			t.Contexts[c.k] = c.v
			prefix := fmt.Sprintf("    %s = ", c.k)
			pos := r.lineAt(prefix + fmt.Sprintf("%q", c.v))
			src.Elems["contexts."+c.k] = rangeIn(pos, len(prefix), len(fmt.Sprintf("%q", c.v)))
		}
		closing := r.lineAt("  }")
		src.Attrs["contexts"] = hcl.Range{Filename: fixtureFile,
			Start: hcl.Pos{Line: open.Line, Column: 14, Byte: open.Byte + 13},
			End:   hcl.Pos{Line: closing.Line, Column: 4, Byte: closing.Byte + 3}}
	}
	if f.args != nil {
		t.Args = map[string]*string{}
		r.line("  args = {")
		for _, a := range f.args {
			v := a.v
			t.Args[a.k] = &v
			r.line(fmt.Sprintf("    %s = %q", a.k, a.v))
		}
		r.line("  }")
	}
	if f.tags != nil {
		r.line("  tags = [" + quoteJoin(f.tags) + "]")
	}
	if f.outputs != nil {
		for _, o := range f.outputs {
			e, err := bake.ParseExport(o)
			if err != nil {
				panic(fmt.Sprintf("fixture output %q: %v", o, err))
			}
			t.Outputs = append(t.Outputs, e)
		}
		r.line("  output = [" + quoteJoin(f.outputs) + "]")
	}
	r.line("}")
	if f.mod != nil {
		f.mod(t)
	}
	return t
}

func quoteJoin(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
}

// rangeString prints a range as "file:line:col-line:col" for assertions.
func rangeString(r *hcl.Range) string {
	if r == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%s:%d:%d-%d:%d", r.Filename, r.Start.Line, r.Start.Column, r.End.Line, r.End.Column)
}
