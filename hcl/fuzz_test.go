package hcl

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// FuzzParse parses arbitrary files as native syntax, JSON and stdin. It
// must never crash (a stack overflow cannot be recovered: deep nesting is
// refused before parsing), every diagnostic must point inside the input,
// and the scan that measures native files must agree with HCL's lexer.
// The large shapes (long heredocs) are in TestParseJoinCost: the fuzzer
// is slow on large seeds.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`target "a" { tags = ["${x}"] }`))
	f.Add([]byte(`{"target": {"a": {"tags": ["${x}"]}}}`))
	f.Add([]byte("x = " + strings.Repeat("(", MaxNesting+1) + "1" + strings.Repeat(")", MaxNesting+1)))
	f.Add([]byte("x = \"" + strings.Repeat("${\"", 600) + strings.Repeat("\"}", 600) + "\""))
	f.Add([]byte("x = \"" + strings.Repeat("%{ if true }", MaxNesting) + strings.Repeat("%{ endif }", MaxNesting) + "\""))
	f.Add([]byte(strings.Repeat("[", 2*MaxNesting) + strings.Repeat("]", 2*MaxNesting)))
	f.Add([]byte("x = <<EOT\n" + strings.Repeat("a $b\n", 50) + "EOT\n"))
	f.Add([]byte(`{"x": "` + strings.Repeat(`\n$${`, 50) + `"}`))
	f.Add([]byte("x = <<-EOT\n  a $b %c $${d} %%{e}\n  ${f(\"}\")} %{ if g }h%{ endif }\n  EOT\ny = \"\\\"${ {a = [1]} }\"\n"))
	f.Add([]byte("# (((\n/* [[[ */ x = /* unterminated [[[["))
	f.Add([]byte("x = " + strings.Repeat("9", maxNumberLength+1)))
	f.Add([]byte("x = " + strings.Repeat("!", MaxNesting+1) + "true"))
	f.Add([]byte("x = a[0]" + strings.Repeat("+ b.c[*] - 1 ", MaxNesting/4) + "# ...\ny = 1 >= 2 != 3 ? 4 : 5\n"))
	f.Add([]byte(`{"x": "${` + strings.Repeat("(", MaxNesting+1) + `1` + strings.Repeat(")", MaxNesting+1) + `}"}`))
	f.Fuzz(func(t *testing.T, src []byte) {
		if utf8.Valid(src) {
			compareScan(t, src)
		}
		for _, name := range []string{"f.hcl", "f.json", StdinName} {
			_, _, diags := Parse([]File{{Name: name, Data: src}})
			for _, d := range diags {
				if r := d.Subject; r != nil && (r.Filename != name || r.Start.Byte < 0 || r.Start.Byte > r.End.Byte || r.End.Byte > len(src)) {
					t.Fatalf("%s: diagnostic %q has range %s outside the %d-byte input", name, d.Summary, r, len(src))
				}
			}
		}
	})
}

// compareScan checks scanNative against lexTokens, which measures the
// same things on the tokens of HCL's own lexer: the same nesting and
// string problems at the same place. scanNative may refuse a long run of
// digits that HCL reads as part of an identifier, never the reverse.
func compareScan(t *testing.T, src []byte) {
	got, want := scanNative(src), lexTokens(src)
	switch {
	case got == nil && want == nil:
	case got != nil && got.kind == 'n' && (want == nil || want.off >= got.off):
	case got == nil || want == nil || *got != *want:
		t.Fatalf("scanNative = %+v, HCL's lexer = %+v", got, want)
	}
}

// lexTokens is scanNative on HCL's tokens (the reference: it allocates a
// token per bracket, as much as parsing does).
func lexTokens(src []byte) *problem {
	tokens, _ := hclsyntax.LexConfig(src, "f.hcl", hcl.InitialPos)
	depth := 0
	var join joinCost
	// levels: the operators counted at each open level, and whether a
	// newline ends an expression there (the file's level and braces).
	type level struct {
		ops     int
		newline bool
	}
	levels := []level{{newline: true}}
	open := func(newline bool) {
		depth++
		levels = append(levels, level{newline: newline})
	}
	closeLevel := func() {
		if n := len(levels); n > 1 {
			depth -= levels[n-1].ops
			levels = levels[:n-1]
		}
		depth--
	}
	separate := func(newline bool) {
		if top := &levels[len(levels)-1]; !newline || top.newline {
			depth -= top.ops
			top.ops = 0
		}
	}
	for i, tok := range tokens {
		off := tok.Range.Start.Byte
		switch tok.Type {
		case hclsyntax.TokenOBrack:
			if off > 0 && chains(src[off-1]) {
				levels[len(levels)-1].ops++
				if depth++; depth > MaxNesting {
					return &problem{off: off, kind: 'd'}
				}
			}
			open(false)
		case hclsyntax.TokenOBrace:
			open(true)
		case hclsyntax.TokenOParen, hclsyntax.TokenOQuote, hclsyntax.TokenOHeredoc,
			hclsyntax.TokenTemplateInterp, hclsyntax.TokenTemplateControl:
			open(false)
		case hclsyntax.TokenCBrace, hclsyntax.TokenCBrack, hclsyntax.TokenCParen,
			hclsyntax.TokenCQuote, hclsyntax.TokenCHeredoc, hclsyntax.TokenTemplateSeqEnd:
			closeLevel()
		case hclsyntax.TokenComma:
			separate(false)
		case hclsyntax.TokenNewline:
			separate(true)
		case hclsyntax.TokenComment:
			if strings.HasSuffix(string(tok.Bytes), "\n") {
				separate(true)
			}
		case hclsyntax.TokenBang, hclsyntax.TokenMinus, hclsyntax.TokenPlus, hclsyntax.TokenStar,
			hclsyntax.TokenSlash, hclsyntax.TokenPercent, hclsyntax.TokenLessThan, hclsyntax.TokenGreaterThan,
			hclsyntax.TokenQuestion, hclsyntax.TokenDot, hclsyntax.TokenEllipsis, hclsyntax.TokenAnd,
			hclsyntax.TokenOr, hclsyntax.TokenBitwiseAnd, hclsyntax.TokenBitwiseOr:
			// The scanner counts their bytes: "&&" is two.
			for k := range tok.Bytes {
				levels[len(levels)-1].ops++
				if depth++; depth > MaxNesting {
					return &problem{off: off + k, kind: 'd'}
				}
			}
		case hclsyntax.TokenLessThanEq, hclsyntax.TokenGreaterThanEq, hclsyntax.TokenNotEqual, hclsyntax.TokenEqualOp:
			levels[len(levels)-1].ops++
			depth++
		case hclsyntax.TokenIdent:
			if i > 0 && tokens[i-1].Type == hclsyntax.TokenTemplateControl {
				switch string(tok.Bytes) {
				case "if", "for":
					open(false)
				case "endif", "endfor":
					closeLevel()
				}
			}
		case hclsyntax.TokenNumberLit:
			if len(tok.Bytes) > maxNumberLength {
				return &problem{off: off, kind: 'n'}
			}
		}
		if depth > MaxNesting {
			return &problem{off: off, kind: 'd'}
		}
		if tok.Type == hclsyntax.TokenQuotedLit || tok.Type == hclsyntax.TokenStringLit {
			if join.add(len(tok.Bytes)) {
				return &problem{off: off, kind: 'j'}
			}
		} else {
			join.end()
		}
	}
	return nil
}
