package compose

import (
	"bytes"
	"errors"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"go.yaml.in/yaml/v4"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// composeLocator finds where a key of a Compose model was written, for
// diagnostics. compose-go reports errors as plain strings (sometimes with
// a line, often with a dotted path), so positions are recovered from the
// YAML of the files themselves.
type composeLocator struct {
	files []*composeYAML
}

type composeYAML struct {
	name string
	data []byte
	docs []*yaml.Node // nil when the file does not parse
	// lines are the offsets where the lines of data start, made when a
	// range is first asked for: a diagnostic per service or variable
	// would otherwise count lines from the start of the file each time.
	lines []int
}

func newComposeLocator(files []xhcl.File) *composeLocator {
	l := &composeLocator{}
	for _, f := range files {
		y := &composeYAML{name: f.Name, data: f.Data}
		dec := yaml.NewDecoder(bytes.NewReader(f.Data))
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				break
			}
			y.docs = append(y.docs, &n)
		}
		l.files = append(l.files, y)
	}
	return l
}

// aliasCycle finds an alias that refers to a node it is inside of
// (x: &a {<<: *a}). compose-go rejects such files only after visiting
// its node limit, which takes minutes for a merge key, so they are
// rejected here first.
func (l *composeLocator) aliasCycle() (hcl.Range, bool) {
	for _, f := range l.files {
		for _, doc := range f.docs {
			if n := findAliasCycle(doc, map[*yaml.Node]bool{}); n != nil {
				return f.rangeOf(n), true
			}
		}
	}
	return hcl.Range{}, false
}

func findAliasCycle(n *yaml.Node, ancestors map[*yaml.Node]bool) *yaml.Node {
	if n.Kind == yaml.AliasNode {
		if ancestors[n.Alias] {
			return n
		}
		return nil
	}
	ancestors[n] = true
	defer delete(ancestors, n)
	for _, c := range n.Content {
		if found := findAliasCycle(c, ancestors); found != nil {
			return found
		}
	}
	return nil
}

// start is the beginning of the first file: the position of errors that
// cannot be placed better.
func (l *composeLocator) start() hcl.Range {
	if len(l.files) == 0 {
		return hcl.Range{}
	}
	return hcl.Range{Filename: l.files[0].name, Start: hcl.InitialPos, End: hcl.InitialPos}
}

// find returns the range of the deepest key of path (a list index is a
// number) found in the files. Later files override earlier ones in
// Compose, so on a tie the last file wins. Keys inherited through YAML
// merge keys (<<: *anchor) are followed.
func (l *composeLocator) find(path ...string) hcl.Range {
	best, bestDepth := l.start(), 0
	for _, f := range l.files {
		for _, doc := range f.docs {
			n, depth := findNode(doc, path)
			if n != nil && depth >= bestDepth {
				best, bestDepth = f.rangeOf(n), depth
			}
		}
	}
	return best
}

// findNode walks path from a document node and returns the node of the
// deepest segment found (the key node of a mapping entry, or a sequence
// element) and how many segments matched.
func findNode(doc *yaml.Node, path []string) (*yaml.Node, int) {
	node := doc
	if node.Kind == yaml.DocumentNode && len(node.Content) > 0 {
		node = node.Content[0]
	}
	var found *yaml.Node
	for depth, seg := range path {
		key, val := child(node, seg, 0)
		if key == nil {
			return found, depth
		}
		found, node = key, val
	}
	return found, len(path)
}

// child finds seg in a mapping (as a key, also through merge keys) or a
// sequence (as an index) and returns the key node and the value node.
func child(node *yaml.Node, seg string, hops int) (*yaml.Node, *yaml.Node) {
	if hops > 16 {
		return nil, nil
	}
	node = deref(node)
	switch node.Kind {
	case yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			if k := node.Content[i]; k.Value == seg && k.Tag != "!!merge" {
				return k, deref(node.Content[i+1])
			}
		}
		for i := 0; i+1 < len(node.Content); i += 2 {
			if node.Content[i].Value != "<<" {
				continue
			}
			merged := deref(node.Content[i+1])
			sources := []*yaml.Node{merged}
			if merged.Kind == yaml.SequenceNode {
				sources = merged.Content
			}
			for _, src := range sources {
				if k, v := child(src, seg, hops+1); k != nil {
					return k, v
				}
			}
		}
	case yaml.SequenceNode:
		if i, err := strconv.Atoi(seg); err == nil && i >= 0 && i < len(node.Content) {
			e := node.Content[i]
			return e, deref(e)
		}
	}
	return nil, nil
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < 16; i++ {
		n = n.Alias
	}
	return n
}

// rangeOf is the range of a node: a scalar's text on its line, or the
// first character of a collection.
func (f *composeYAML) rangeOf(n *yaml.Node) hcl.Range {
	width := 1
	if n.Kind == yaml.AliasNode {
		width = 1 + utf8.RuneCountInString(n.Value)
	}
	if n.Kind == yaml.ScalarNode && n.Value != "" && !strings.Contains(n.Value, "\n") {
		width = utf8.RuneCountInString(n.Value)
		if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0 {
			width += 2
		}
	}
	return f.lineRange(n.Line, n.Column, width)
}

// lineStarts returns the offsets where the lines of the file start.
func (f *composeYAML) lineStarts() []int {
	if f.lines == nil {
		f.lines = make([]int, 1, 1+bytes.Count(f.data, []byte("\n")))
		for off := 0; ; {
			i := bytes.IndexByte(f.data[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			f.lines = append(f.lines, off)
		}
	}
	return f.lines
}

// lineRange is the range of width characters from line:column (both
// 1-based, columns in characters), clamped to the line; a line past the
// end is the last one.
func (f *composeYAML) lineRange(line, column, width int) hcl.Range {
	lines := f.lineStarts()
	i := min(max(line, 1), len(lines)) - 1
	off, lineEnd := lines[i], len(f.data)
	if i+1 < len(lines) {
		lineEnd = lines[i+1] - 1
	}
	advance := func(from, chars int) (int, int) {
		n := 0
		for from < lineEnd && n < chars {
			_, size := utf8.DecodeRune(f.data[from:lineEnd])
			from += size
			n++
		}
		return from, n
	}
	startByte, moved := advance(off, max(column-1, 0))
	endByte, width := advance(startByte, width)
	start := hcl.Pos{Line: max(line, 1), Column: moved + 1, Byte: startByte}
	return hcl.Range{Filename: f.name, Start: start, End: hcl.Pos{Line: start.Line, Column: start.Column + width, Byte: endByte}}
}

// rangeAt is the range of width characters from byte off.
func (f *composeYAML) rangeAt(off, width int) hcl.Range {
	lines := f.lineStarts()
	line, _ := slices.BinarySearch(lines, off+1) // the lines that start at or before off
	col := 1 + utf8.RuneCount(f.data[lines[line-1]:off])
	return f.lineRange(line, col, width)
}

// findText returns the first place any of needles is written, or the
// start of the first file.
func (l *composeLocator) findText(needles ...string) hcl.Range {
	for _, f := range l.files {
		for _, needle := range needles {
			if i := bytes.Index(f.data, []byte(needle)); i >= 0 {
				return f.rangeAt(i, utf8.RuneCountInString(needle))
			}
		}
	}
	return l.start()
}

// varRefs returns where each variable is first referred to, for the
// warnings about unset ones: in the first file that refers to it, the
// first $NAME or ${NAME} (the forms that warn), else the first ${NAME
// with a modifier (${NAME:-default}). It reads each file once, where
// looking for each name would read the files once per name.
func (l *composeLocator) varRefs() map[string]hcl.Range {
	out := map[string]hcl.Range{}
	for _, f := range l.files {
		type ref struct{ off, width, form int }
		best := map[string]ref{}
		d := f.data
		for i := 0; i < len(d); i++ {
			if d[i] != '$' {
				continue
			}
			if i+1 < len(d) && d[i+1] == '$' {
				i++ // $$ is a literal $
				continue
			}
			start := i + 1
			braced := start < len(d) && d[start] == '{'
			if braced {
				start++
			}
			end := start
			for end < len(d) && isVarByte(d[end], end > start) {
				end++
			}
			if end == start {
				continue
			}
			r := ref{off: i, width: end - i}
			if braced {
				if end < len(d) && d[end] == '}' {
					r.width++
				} else {
					r.form = 1
				}
			}
			name := string(d[start:end])
			if prev, ok := best[name]; !ok || r.form < prev.form {
				best[name] = r
			}
		}
		for _, name := range slices.Sorted(maps.Keys(best)) {
			if _, ok := out[name]; !ok {
				r := best[name]
				out[name] = f.rangeAt(r.off, r.width)
			}
		}
	}
	return out
}

var (
	yamlLinePattern    = regexp.MustCompile(`\bline (\d+)(?:, column (\d+))?`)
	modelPathPattern   = regexp.MustCompile(`\b((?:services|secrets)\.[A-Za-z0-9._\-]+)`)
	serviceNamePattern = regexp.MustCompile(`^service "([^"]+)"`)
	extraPropPattern   = regexp.MustCompile(`additional propert(?:y|ies) '([^']+)'`)
)

// errorDiag turns an error of compose-go (or of loading) into a
// diagnostic, placed as well as the message allows.
func (l *composeLocator) errorDiag(err error) *hcl.Diagnostic {
	var badName *invalidServiceName
	switch {
	case isEmptyCompose(err):
		rng := l.start()
		return xhcl.Errorf(&rng, "Empty Compose file",
			"The Compose definition has no services and no secrets section (empty compose file), so it defines no target. Add a services section whose services have a build section, or leave the file out.")
	case errors.As(err, &badName):
		rng := l.find("services", badName.name)
		return xhcl.Errorf(&rng, "Invalid service name",
			"Service %q would become target %q, which is not a valid target name: only letters, digits, \"_\" and \"-\" are allowed ([a-zA-Z0-9_-]+), and \".\" becomes \"_\". Rename the service.",
			badName.name, bake.ComposeTargetName(badName.name))
	}
	msg := err.Error()
	rng := l.locateMessage(msg)
	return xhcl.Errorf(&rng, "Invalid Compose file", "%s. %s", sentence(msg), composeRemedy(msg))
}

// locateMessage finds the position an error message speaks of: a YAML
// line, a dotted model path or a service name.
func (l *composeLocator) locateMessage(msg string) hcl.Range {
	file := -1
	for i, f := range l.files {
		if f.name != "" && strings.Contains(msg, f.name) {
			file = i
		}
	}
	if m := yamlLinePattern.FindStringSubmatch(msg); m != nil {
		f := l.files[max(file, 0)]
		line, _ := strconv.Atoi(m[1])
		col := 1
		if m[2] != "" {
			col, _ = strconv.Atoi(m[2])
		}
		return f.lineRange(line, col, 1)
	}
	if m := modelPathPattern.FindStringSubmatch(msg); m != nil {
		path := strings.TrimRight(m[1], ".")
		if x := extraPropPattern.FindStringSubmatch(msg); x != nil {
			// Point at the first key that is not allowed.
			path += "." + x[1]
		}
		return l.findDotted(path)
	}
	if m := serviceNamePattern.FindStringSubmatch(msg); m != nil {
		return l.find("services", m[1])
	}
	if strings.Contains(msg, "env file") {
		return l.findText("env_file")
	}
	if file > 0 {
		return l.files[file].lineRange(1, 1, 0)
	}
	return l.start()
}

// findDotted finds a dotted path whose keys may themselves contain dots
// (service "web.app"): it tries every split and keeps the deepest match.
func (l *composeLocator) findDotted(dotted string) hcl.Range {
	parts := strings.Split(dotted, ".")
	var best []string
	var walk func(prefix []string, rest []string)
	seen := 0
	walk = func(prefix, rest []string) {
		if seen > 256 {
			return
		}
		seen++
		if len(rest) == 0 {
			if l.depth(prefix) > l.depth(best) {
				best = prefix
			}
			return
		}
		for i := 1; i <= len(rest); i++ {
			seg := strings.Join(rest[:i], ".")
			walk(append(append([]string{}, prefix...), seg), rest[i:])
		}
	}
	walk(nil, parts)
	if best == nil {
		return l.start()
	}
	return l.find(best...)
}

// depth is how many segments of path exist in some file.
func (l *composeLocator) depth(path []string) int {
	d := 0
	for _, f := range l.files {
		for _, doc := range f.docs {
			if _, n := findNode(doc, path); n > d {
				d = n
			}
		}
	}
	return d
}

// sentence capitalises a message (unless it starts with a dotted path)
// and drops a final period.
func sentence(s string) string {
	s = strings.TrimSuffix(strings.TrimSpace(s), ".")
	if first, _, _ := strings.Cut(s, " "); s == "" || strings.Contains(first, ".") {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return strings.ToUpper(string(r)) + s[size:]
}

func composeRemedy(msg string) string {
	switch {
	case strings.Contains(msg, "yaml:") || strings.Contains(msg, "failed to parse"):
		return "Fix the YAML syntax (indentation, colons, quotes)."
	case strings.Contains(msg, "required variable"):
		return "Set the variable in the environment, in .env or with --var NAME=value."
	case strings.Contains(msg, "undefined"):
		return "Define it in the top-level section of the Compose file, or remove the reference."
	case strings.Contains(msg, "env file") || strings.Contains(msg, "env_file"):
		return "Create the file, fix the env_file path (relative to the working directory), or mark it required: false."
	case strings.Contains(msg, "neither an image nor a build context"):
		return "Give the service a build section (it becomes a target) or an image."
	}
	return "Fix the Compose file: bake reads image, build, environment and env_file of each service and the top-level secrets (https://docs.docker.com/reference/compose-file/build/)."
}
