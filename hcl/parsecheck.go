package hcl

import (
	"bytes"
	"encoding/json"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// Files are measured before HCL's parsers see them, for two shapes that
// no recover can rescue:
//
//   - Nesting. The parsers are recursive: 100,000 nested parentheses
//     (200 KB) or a 1,000,000-deep JSON array overflow the Go stack.
//
//   - Strings of many pieces. The template parser joins the literal pieces
//     of a string (each heredoc line, each $${ or %%{ escape) one at a
//     time, copying what it has so far: a 1 MB heredoc of 100,000 lines
//     takes a minute.
//
//   - Many lines. The native parser reports a bad line and goes on with the
//     next, so a 4 MB file of "a b" lines is a million errors (1.2 GB).
//
// Real definitions nest a dozen levels, their strings cost a few thousand
// units, and the largest have a few thousand lines.
const (
	// MaxNesting is how deeply brackets, braces, parentheses, strings and
	// template directives may nest.
	MaxNesting = 1000
	// maxJoinCost bounds, for a whole file, the bytes the template parser
	// copies to join the pieces of strings (about 1 s of parsing).
	maxJoinCost = 1 << 30
	// MaxLines is the most lines a native-syntax file may have (a JSON
	// file stops at its first error, so its lines are not counted).
	MaxLines = 100_000
)

// checkNative measures a native-syntax file with HCL's own lexer, so that
// brackets inside strings, comments and heredocs count only where the
// parser sees them as nesting too (in ${...} interpolations).
func checkNative(src []byte, filename string) *hcl.Diagnostic {
	if lines := bytes.Count(src, []byte("\n")); lines >= MaxLines {
		pos := hcl.Pos{Line: MaxLines + 1, Column: 1, Byte: nthLine(src, MaxLines)}
		rng := hcl.Range{Filename: filename, Start: pos, End: pos}
		return Errorf(&rng, "Too many lines",
			"This file has more than %d lines, which xbake does not read in HCL syntax. Split it into several files (-f a.hcl -f b.hcl).", MaxLines)
	}
	tokens, _ := hclsyntax.LexConfig(src, filename, hcl.InitialPos)
	depth := 0
	var join joinCost
	for i, tok := range tokens {
		switch tok.Type {
		case hclsyntax.TokenOBrace, hclsyntax.TokenOBrack, hclsyntax.TokenOParen,
			hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			depth++
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			depth--
		case hclsyntax.TokenIdent:
			// %{ if } and %{ for } open a block that %{ endif } and
			// %{ endfor } close; the parser recurses into it.
			if i > 0 && tokens[i-1].Type == hclsyntax.TokenTemplateControl {
				switch string(tok.Bytes) {
				case "if", "for":
					depth++
				case "endif", "endfor":
					depth--
				}
			}
		}
		if depth > MaxNesting {
			return tooDeep(tok.Range)
		}
		if tok.Type == hclsyntax.TokenQuotedLit || tok.Type == hclsyntax.TokenStringLit {
			if join.add(len(tok.Bytes)) {
				return tooManyPieces(tok.Range)
			}
		} else {
			join.end()
		}
	}
	return nil
}

// checkJSON is checkNative for HCL JSON: arrays and objects nest, and
// every string is a template whose pieces are its lines and escapes.
func checkJSON(src []byte, filename string) *hcl.Diagnostic {
	depth := 0
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
				if join.template(src[strStart : i+1]) {
					end := hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: i + 1}
					return tooManyPieces(hcl.Range{Filename: filename, Start: strPos, End: end})
				}
				strStart = -1
			}
		case c == '"':
			strStart, strPos = i, pos
		case c == '[' || c == '{':
			if depth++; depth > MaxNesting {
				end := hcl.Pos{Line: pos.Line, Column: pos.Column + 1, Byte: i + 1}
				return tooDeep(hcl.Range{Filename: filename, Start: pos, End: end})
			}
		case c == ']' || c == '}':
			depth--
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
// HCL parses as a template: lines, $${ and %%{ are pieces of their own.
func (j *joinCost) template(quoted []byte) bool {
	s := quoted
	if bytes.IndexByte(quoted, '\\') >= 0 {
		var str string
		if json.Unmarshal(quoted, &str) != nil {
			return false // the parser reports it
		}
		s = []byte(str)
	}
	defer j.end()
	start := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\n':
			if j.add(i + 1 - start) {
				return true
			}
			start = i + 1
		case i+2 < len(s) && (s[i] == '$' || s[i] == '%') && s[i+1] == s[i] && s[i+2] == '{':
			if (i > start && j.add(i-start)) || j.add(3) {
				return true
			}
			i += 2
			start = i + 1
		}
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
		"Brackets, braces, parentheses, strings and template directives nest more than %d levels deep here, which xbake does not read. Flatten the expression, for example by moving inner parts into variables.", MaxNesting)
}

func tooManyPieces(rng hcl.Range) *hcl.Diagnostic {
	return Errorf(&rng, "Strings too long to parse",
		"The HCL parser joins the lines of a heredoc and the pieces of a string around $${ and %%{ escapes one at a time, in time that grows with the square of their number; the strings of this file reach xbake's limit here. Split long heredocs and strings into several variables and join them, for example join(\"\\n\", [part1, part2]).")
}
