package hcl

import (
	"bytes"
	"encoding/json"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// nativeScan measures a native-syntax file for checkNative. It follows
// the states of HCL's scanner (scan_tokens.rl): code, quoted strings,
// heredocs, and ${ } and %{ } sequences inside them. It reads the bytes
// once and allocates next to nothing, where lexing the file would cost as
// much as parsing it; FuzzParse checks it against HCL's own lexer.
type nativeScan struct {
	src    []byte
	i      int
	depth  int
	braces int
	// ret holds the brace levels at which a "}" ends a template sequence.
	ret []int
	// frames are the templates and template sequences being scanned,
	// innermost last; code outside any template has none.
	frames []frame
	join   joinCost
	// levels are the open brackets, strings and sequences, outermost
	// first after the file's own level, with the operators each has seen
	// since its last separator (see op).
	levels []level
}

type level struct {
	ops  int
	kind byte // the byte that opened it; 0 for the file
}

type frame struct {
	kind        byte // 'q' quoted string, 'h' heredoc, 't' bare template, 's' ${ } or %{ } sequence
	marker      []byte
	startOfLine bool
}

// problem is where the scan stopped, and why.
type problem struct {
	off  int
	kind byte // 'd' too deep, 'j' strings too costly, 'n' number too long
}

func scanNative(src []byte) *problem {
	s := &nativeScan{src: src, levels: []level{{}}}
	if bytes.HasPrefix(src, []byte("\xef\xbb\xbf")) {
		s.i = 3 // HCL skips a byte order mark
	}
	return s.run()
}

// scanJSONTemplate measures the content of a JSON string (quotes
// included), which HCL parses as a template whose ${ } sequences are
// native syntax, with a parser of its own: a JSON file of little depth
// can hold a string of a million "(".
func scanJSONTemplate(quoted []byte) *problem {
	src := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(src, '\\') >= 0 {
		var str string
		if json.Unmarshal(quoted, &str) != nil {
			return nil // the parser reports it
		}
		src = []byte(str)
	}
	if !bytes.Contains(src, []byte("${")) && !bytes.Contains(src, []byte("%{")) {
		return nil
	}
	s := &nativeScan{src: src, levels: []level{{}}, frames: []frame{{kind: 't'}}}
	return s.run()
}

func (s *nativeScan) run() *problem {
	for s.i < len(s.src) {
		var p *problem
		switch s.mode() {
		case 'q':
			p = s.quoted()
		case 'h':
			p = s.heredoc()
		case 't':
			p = s.bare()
		default:
			p = s.code()
		}
		if p != nil {
			return p
		}
	}
	return nil
}

func (s *nativeScan) mode() byte {
	if len(s.frames) == 0 {
		return 0
	}
	return s.frames[len(s.frames)-1].kind
}

func (s *nativeScan) at(off int) byte {
	if off < len(s.src) {
		return s.src[off]
	}
	return 0
}

// open counts one level of nesting at off.
func (s *nativeScan) open(off int) *problem {
	s.levels = append(s.levels, level{kind: s.src[off]})
	if s.depth++; s.depth > MaxNesting {
		return &problem{off: off, kind: 'd'}
	}
	return nil
}

// close ends the innermost level, with its operators.
func (s *nativeScan) close() {
	if n := len(s.levels); n > 1 {
		s.depth -= s.levels[n-1].ops
		s.levels = s.levels[:n-1]
	}
	s.depth--
}

// op counts an operator at off as one level of nesting until the next
// separator: the parser recurses once per unary operator and once per
// "?" of a conditional, and builds one tree node under the last for each
// binary operator or chained index, which evaluation and walks recurse
// into (a million "!", "1+" or "[0]" overflow the stack). Counting every
// operator, and "." too, keeps the count simple and still far above what
// a definition writes in one expression.
func (s *nativeScan) op(off int) *problem {
	s.levels[len(s.levels)-1].ops++
	if s.depth++; s.depth > MaxNesting {
		return &problem{off: off, kind: 'd'}
	}
	return nil
}

// separate ends an expression of the innermost level: a comma, or a
// newline where it ends an attribute or an object item.
func (s *nativeScan) separate(c byte) {
	top := &s.levels[len(s.levels)-1]
	if c == '\n' && top.kind != 0 && top.kind != '{' {
		return // inside (), [] and ${ } newlines are spaces
	}
	s.depth -= top.ops
	top.ops = 0
}

// piece counts a literal piece of a template, of n bytes at off.
func (s *nativeScan) piece(off, n int) *problem {
	if s.join.add(n) {
		return &problem{off: off, kind: 'j'}
	}
	return nil
}

func (s *nativeScan) code() *problem {
	start := s.i
	c := s.src[s.i]
	s.i++
	switch {
	case c == '#' || (c == '/' && s.at(s.i) == '/'):
		if nl := bytes.IndexByte(s.src[s.i:], '\n'); nl >= 0 {
			s.i += nl + 1
			s.separate('\n')
		} else {
			s.i = len(s.src)
		}
	case c == '/' && s.at(s.i) == '*':
		// Without its "*/", "/*" is two tokens and the rest is code.
		if end := bytes.Index(s.src[s.i+1:], []byte("*/")); end >= 0 {
			s.i += 1 + end + 2
		}
	case c == '"':
		s.frames = append(s.frames, frame{kind: 'q'})
		return s.open(start)
	case c == '<' && s.at(s.i) == '<':
		if marker, end, ok := heredocIntro(s.src, s.i); ok {
			s.frames = append(s.frames, frame{kind: 'h', marker: marker, startOfLine: true})
			s.i = end
			return s.open(start)
		}
		return s.op(start)
	case c == '{':
		s.braces++
		return s.open(start)
	case c == '}' || (c == '~' && s.at(s.i) == '}'):
		if c == '~' {
			s.i++
		}
		if n := len(s.ret); n > 0 && s.ret[n-1] == s.braces {
			s.ret = s.ret[:n-1]
			s.frames = s.frames[:len(s.frames)-1]
		}
		s.braces--
		s.close()
	case c == '[' && start > 0 && chains(s.src[start-1]):
		// An index after a value: a[0][0] nests as a+b does.
		if p := s.op(start); p != nil {
			return p
		}
		return s.open(start)
	case c == '(' || c == '[':
		return s.open(start)
	case c == ')' || c == ']':
		s.close()
	case c == ',' || c == '\n':
		s.separate(c)
	case c == '=':
		if n := s.at(s.i); n == '=' || n == '>' {
			s.i++
			if n == '=' {
				return s.op(start)
			}
		}
	case c == '!' || c == '<' || c == '>':
		if s.at(s.i) == '=' { // !=, <=, >=
			s.i++
		}
		return s.op(start)
	case c == '-' || c == '+' || c == '*' || c == '/' || c == '%' ||
		c == '&' || c == '|' || c == '?' || c == '.':
		return s.op(start)
	case c >= '0' && c <= '9':
		s.i = numberEnd(s.src, start)
		if s.i-start > maxNumberLength {
			return &problem{off: start, kind: 'n'}
		}
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_':
		// An ASCII identifier, with the digits in it. Digits after any
		// other character count as a number: safe when it is not one.
		for s.i < len(s.src) && isASCIIIdent(s.src[s.i]) {
			s.i++
		}
	}
	return nil
}

// template scans what quoted strings and heredocs share at s.i: a $ or
// % that starts a sequence, an escaped one ($${, %%{), or a lone one,
// which is a piece of its own. It reports whether it scanned anything.
func (s *nativeScan) template() (bool, *problem) {
	start := s.i
	c := s.src[start]
	if c != '$' && c != '%' {
		return false, nil
	}
	switch {
	case s.at(start+1) == '{':
		s.i += 2
		if s.at(s.i) == '~' {
			s.i++
		}
		s.join.end()
		s.braces++
		s.ret = append(s.ret, s.braces)
		if top := &s.frames[len(s.frames)-1]; top.kind == 'h' {
			top.startOfLine = false
		}
		s.frames = append(s.frames, frame{kind: 's'})
		if p := s.open(start); p != nil {
			return true, p
		}
		if c == '%' {
			return true, s.directive()
		}
	case s.at(start+1) == c && s.at(start+2) == '{':
		s.i += 3
		if s.at(s.i) == '~' {
			s.i++
		}
		return true, s.piece(start, s.lineEnd()-start)
	default:
		s.i++
		return true, s.piece(start, s.lineEnd()-start)
	}
	return true, nil
}

// lineEnd takes, in a heredoc, the newline that follows a $ or % piece
// into it, as HCL does, and returns the end of the piece.
func (s *nativeScan) lineEnd() int {
	top := &s.frames[len(s.frames)-1]
	if top.kind != 'h' {
		return s.i
	}
	top.startOfLine = false
	switch {
	case s.at(s.i) == '\n':
		s.i++
		top.startOfLine = true
	case s.at(s.i) == '\r' && s.at(s.i+1) == '\n':
		s.i += 2
		top.startOfLine = true
	}
	return s.i
}

// directive counts the block that %{ if } and %{ for } open and %{ endif }
// and %{ endfor } close: the parser recurses into it.
func (s *nativeScan) directive() *problem {
	j := s.i
	for j < len(s.src) && (s.src[j] == ' ' || s.src[j] == '\t') {
		j++
	}
	k := j
	for k < len(s.src) && (isIdentStart(s.src[k]) || s.src[k] >= '0' && s.src[k] <= '9' || s.src[k] == '-') {
		k++
	}
	switch string(s.src[j:k]) {
	case "if", "for":
		return s.open(j)
	case "endif", "endfor":
		s.close()
	}
	return nil
}

func (s *nativeScan) quoted() *problem {
	if ok, p := s.template(); ok {
		return p
	}
	start := s.i
	switch s.src[start] {
	case '"':
		s.i++
		s.join.end()
		s.frames = s.frames[:len(s.frames)-1]
		s.close()
		return nil
	case '\n', '\r':
		// A newline ends the piece (HCL reports it).
		for s.i < len(s.src) && (s.src[s.i] == '\n' || s.src[s.i] == '\r') {
			s.i++
		}
		s.join.end()
		return nil
	}
	for s.i < len(s.src) {
		c := s.src[s.i]
		if c == '$' || c == '%' || c == '"' || c == '\n' || c == '\r' {
			break
		}
		if c == '\\' {
			if n := s.at(s.i + 1); n == '\n' || n == '\r' || s.i+1 == len(s.src) {
				if s.i == start {
					s.i++ // an invalid lone backslash, not a piece
					s.join.end()
					return nil
				}
				break
			}
			s.i++
		}
		s.i++
	}
	return s.piece(start, s.i-start)
}

// bare scans a template that no quote ends (scanJSONTemplate).
func (s *nativeScan) bare() *problem {
	if ok, p := s.template(); ok {
		return p
	}
	for s.i < len(s.src) && s.src[s.i] != '$' && s.src[s.i] != '%' {
		s.i++
	}
	return nil
}

func (s *nativeScan) heredoc() *problem {
	top := &s.frames[len(s.frames)-1]
	start := s.i
	if top.startOfLine {
		if nl := bytes.IndexByte(s.src[start:], '\n'); nl >= 0 {
			line := s.src[start : start+nl+1]
			if !bytes.ContainsAny(line, "$%") && bytes.Equal(bytes.TrimSpace(line), top.marker) {
				// The end marker; its newline is code again.
				s.i = start + nl
				if nl > 0 && s.src[s.i-1] == '\r' {
					s.i--
				}
				s.join.end()
				s.frames = s.frames[:len(s.frames)-1]
				s.close()
				return nil
			}
		}
	}
	if ok, p := s.template(); ok {
		return p
	}
	for s.i < len(s.src) && s.src[s.i] != '$' && s.src[s.i] != '%' && s.src[s.i] != '\n' {
		s.i++
	}
	top.startOfLine = s.i < len(s.src) && s.src[s.i] == '\n'
	if top.startOfLine {
		s.i++
	}
	return s.piece(start, s.i-start)
}

// heredocIntro matches "<<" ["-"] identifier newline after the first "<"
// (at i, the second one) and returns the marker and where the heredoc's
// first line starts. HCL's own lexer decides on the line, which is short:
// what an identifier is depends on Unicode tables, and taking text for a
// heredoc that HCL reads as code would hide its nesting.
func heredocIntro(src []byte, i int) ([]byte, int, bool) {
	nl := bytes.IndexByte(src[i:], '\n')
	if nl < 0 || nl > 1024 {
		return nil, 0, false
	}
	end := i + nl + 1
	toks, _ := hclsyntax.LexConfig(src[i-1:end], "", hcl.InitialPos)
	if len(toks) == 0 || toks[0].Type != hclsyntax.TokenOHeredoc || len(toks[0].Bytes) != end-i+1 {
		return nil, 0, false
	}
	marker := bytes.TrimPrefix(bytes.TrimRight(toks[0].Bytes[2:], "\r\n"), []byte("-"))
	return marker, end, true
}

// isIdentStart approximates Unicode's ID_Start with ASCII letters, "_"
// and every non-ASCII byte: a directive keyword such as "endif" counts
// only when no other character follows it.
func isIdentStart(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c >= 0x80
}

// chains reports whether a "[" after c indexes a value rather than
// starting a tuple.
func chains(c byte) bool {
	return c == ']' || c == ')' || c == '"' || c == '}' || isASCIIIdent(c)
}

func isASCIIIdent(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// numberEnd returns the end of the number literal at start, as HCL reads
// it: digits, dots and exponents, not ending with a dot.
func numberEnd(src []byte, start int) int {
	i := start + 1
	for i < len(src) {
		c := src[i]
		switch {
		case c >= '0' && c <= '9' || c == '.':
			i++
		case (c == 'e' || c == 'E') && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9':
			i += 2
		case (c == 'e' || c == 'E') && i+2 < len(src) && (src[i+1] == '+' || src[i+1] == '-') && src[i+2] >= '0' && src[i+2] <= '9':
			i += 3
		default:
			for i > start+1 && src[i-1] == '.' {
				i--
			}
			return i
		}
	}
	for i > start+1 && src[i-1] == '.' {
		i--
	}
	return i
}

// posAt is the position of byte off in src, columns counted in
// characters as HCL counts them.
func posAt(src []byte, off int) hcl.Pos {
	pos := hcl.InitialPos
	for _, c := range src[:off] {
		if c == '\n' {
			pos.Line++
			pos.Column = 1
		} else if c&0xc0 != 0x80 {
			pos.Column++
		}
	}
	pos.Byte = off
	return pos
}
