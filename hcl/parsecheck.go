package hcl

import (
	"bytes"
	"encoding/json"

	"github.com/hashicorp/hcl/v2"
)

// Files are measured before HCL's parsers see them, for shapes that no
// recover can rescue:
//
//   - Nesting. The parsers are recursive: 100,000 nested parentheses
//     (200 KB) or a 1,000,000-deep JSON array overflow the Go stack, and
//     so do a million unary operators, conditionals or "1+" (a tree the
//     parser builds in a loop, but evaluation walks by recursion), also
//     inside the templates of JSON strings.
//
//   - Strings of many pieces. The template parser joins the literal pieces
//     of a string (each heredoc line, each $${ or %%{ escape) one at a
//     time, copying what it has so far: a 1 MB heredoc of 100,000 lines
//     takes a minute.
//
//   - Long numbers. Reading a number takes time that grows with the
//     square of its digits: a million digits take 5 s.
//
//   - Many lines. The native parser reports a bad line and goes on with the
//     next, so a 4 MB file of "a b" lines is a million errors (1.2 GB).
//     A JSON file stops at its first syntax error, but not at a repeated
//     key: 15 MB of "args":{} in one object are 1.5 million errors (24 s,
//     2.2 GB, 177 MB printed). Its members and elements are counted.
//
// Real definitions nest a dozen levels, their strings cost a few thousand
// units, and the largest have a few thousand lines.
const (
	// MaxNesting is how deeply brackets, braces, parentheses, strings,
	// template directives and the operators of one expression may nest.
	MaxNesting = 1000
	// maxJoinCost bounds, for a whole file, the bytes the template parser
	// copies to join the pieces of strings (about 1 s of parsing).
	maxJoinCost = 1 << 30
	// MaxLines is the most lines a native-syntax file may have (a JSON
	// file stops at its first error, so its lines are not counted).
	MaxLines = 100_000
	// maxNumberLength bounds number literals.
	maxNumberLength = 1000
	// MaxJSONItems is the most members and elements (its ":" and ","
	// outside strings) a JSON file may have: as many as MaxLines
	// attributes or list items, with room to spare.
	MaxJSONItems = 2 * MaxLines
)

// checkNative measures a native-syntax file (see nativeScan), so that
// brackets inside strings, comments and heredocs count only where the
// parser sees them as nesting too (in ${...} interpolations).
func checkNative(src []byte, filename string) *hcl.Diagnostic {
	if lines := bytes.Count(src, []byte("\n")); lines >= MaxLines {
		pos := hcl.Pos{Line: MaxLines + 1, Column: 1, Byte: nthLine(src, MaxLines)}
		rng := hcl.Range{Filename: filename, Start: pos, End: pos}
		return Errorf(&rng, "Too many lines",
			"This file has more than %d lines, which xbake does not read in HCL syntax. Split it into several files (-f a.hcl -f b.hcl).", MaxLines)
	}
	p := scanNative(src)
	if p == nil {
		return nil
	}
	start := posAt(src, p.off)
	end := start
	end.Byte++
	end.Column++
	return p.diag(hcl.Range{Filename: filename, Start: start, End: end})
}

func (p *problem) diag(rng hcl.Range) *hcl.Diagnostic {
	switch p.kind {
	case 'd':
		return tooDeep(rng)
	case 'j':
		return tooManyPieces(rng)
	}
	return Errorf(&rng, "Number too long",
		"This number is written with more than %d characters, which xbake does not read: cty numbers keep about 155 significant digits, and reading longer ones takes time that grows with the square of their length.", maxNumberLength)
}

// checkJSON is checkNative for HCL JSON: arrays and objects nest, and
// every string is a template whose pieces are its lines and escapes.
func checkJSON(src []byte, filename string) *hcl.Diagnostic {
	depth, items := 0, 0
	pos := hcl.InitialPos
	var join joinCost
	strStart := -1
	var strPos hcl.Pos
	escaped := false
	for i, c := range src {
		switch {
		case strStart >= 0:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				end := hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: i + 1}
				rng := hcl.Range{Filename: filename, Start: strPos, End: end}
				if join.template(src[strStart : i+1]) {
					return tooManyPieces(rng)
				}
				if p := scanJSONTemplate(src[strStart : i+1]); p != nil {
					return p.diag(rng)
				}
				strStart = -1
			}
		case c == '"':
			strStart, strPos = i, pos
		case c >= '0' && c <= '9' && (i == 0 || !isJSONNumberByte(src[i-1])):
			if end := jsonNumberEnd(src, i); end-i > maxNumberLength {
				p := &problem{off: i, kind: 'n'}
				return p.diag(hcl.Range{Filename: filename, Start: pos, End: hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: i + 1}})
			}
		case c == '[' || c == '{':
			if depth++; depth > MaxNesting {
				end := hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: i + 1}
				return tooDeep(hcl.Range{Filename: filename, Start: pos, End: end})
			}
		case c == ']' || c == '}':
			depth--
		case c == ',' || c == ':':
			if items++; items > MaxJSONItems {
				end := hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: i + 1}
				rng := hcl.Range{Filename: filename, Start: pos, End: end}
				return Errorf(&rng, "Too many values",
					"This file has more than %d members and elements, which xbake does not read in JSON syntax. Split it into several files (-f a.json -f b.json).", MaxJSONItems)
			}
		}
		pos.Byte++
		if c&0xc0 != 0x80 { // a column is a character, not a byte
			pos.Column++
		}
		if c == '\n' {
			pos.Line++
			pos.Column = 1
		}
	}
	return nil
}

func isJSONNumberByte(c byte) bool {
	return c >= '0' && c <= '9' || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'
}

func jsonNumberEnd(src []byte, i int) int {
	for i < len(src) && isJSONNumberByte(src[i]) {
		i++
	}
	return i
}

// joinCost adds up what the template parser copies to join consecutive
// literal pieces: each piece copies the run so far, and shifts the slice
// of pieces that follow it.
type joinCost struct {
	total        int64
	pieces, size int64
}

// add counts one more piece of n bytes in the current run and reports
// whether the file is now over maxJoinCost.
func (j *joinCost) add(n int) bool {
	if j.pieces > 0 {
		j.total += j.size + int64(n) + 16*j.pieces
	}
	j.pieces++
	j.size += int64(n)
	return j.total > maxJoinCost
}

// end ends the current run of pieces.
func (j *joinCost) end() { j.pieces, j.size = 0, 0 }

// template counts the pieces of a JSON string (quotes included), which
// HCL parses as a template: a piece ends after a newline and at every $
// or %, which is a piece of its own ($${ and %%{ too), and ${ and %{
// start a sequence, which ends the run of pieces.
func (j *joinCost) template(quoted []byte) bool {
	s := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(s, '\\') >= 0 {
		var str string
		if json.Unmarshal(quoted, &str) != nil {
			return false // the parser reports it
		}
		s = []byte(str)
	}
	defer j.end()
	at := func(i int) byte {
		if i < len(s) {
			return s[i]
		}
		return 0
	}
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c != '$' && c != '%' {
			i++
			if c == '\n' {
				if j.add(i - start) {
					return true
				}
				start = i
			}
			continue
		}
		if i > start && j.add(i-start) {
			return true
		}
		start = i
		switch {
		case at(i+1) == '{':
			j.end()
			i += 2
			start = i
			continue
		case at(i+1) == c && at(i+2) == '{':
			i += 3
		default:
			i++
		}
		if at(i) == '\n' {
			i++
		}
		if j.add(i - start) {
			return true
		}
		start = i
	}
	return start < len(s) && j.add(len(s)-start)
}

// nthLine returns the offset where line n+1 starts.
func nthLine(src []byte, n int) int {
	off := 0
	for range n {
		off += bytes.IndexByte(src[off:], '\n') + 1
	}
	return off
}

func tooDeep(rng hcl.Range) *hcl.Diagnostic {
	return Errorf(&rng, "Nesting too deep",
		"Brackets, braces, parentheses, strings, template directives and operators (each operator of one expression counts) nest more than %d levels deep here, which xbake does not read. Flatten the expression, for example by moving inner parts into variables.", MaxNesting)
}

func tooManyPieces(rng hcl.Range) *hcl.Diagnostic {
	return Errorf(&rng, "Strings too long to parse",
		"The HCL parser joins the lines of a heredoc and the pieces of a string around $${ and %%{ escapes one at a time, in time that grows with the square of their number; the strings of this file reach xbake's limit here. Split long heredocs and strings into several variables and join them, for example join(\"\\n\", [part1, part2]).")
}
