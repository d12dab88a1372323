package hcl

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2/ext/customdecode"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/function"
)

// limitFunction wraps fn (built-in or user) so that every call is charged
// to the budget: it returns an unknown value at once when the budget is
// spent, refuses arguments over MaxValueSize, refuses before calling when
// the result can be predicted to be too large, and measures the result.
//
// The wrapper takes its arguments unconverted and converts them itself,
// after measuring them: converting a number such as 1e100000000 to a
// string makes a 100-million-character string.
func (e *Evaluator) limitFunction(name string, fn function.Function) function.Function {
	inner := fn.Params()
	spec := &function.Spec{
		Description: fn.Description(),
		Type:        function.StaticReturnType(cty.DynamicPseudoType),
	}
	for _, p := range inner {
		spec.Params = append(spec.Params, passThrough(p))
	}
	if vp := fn.VarParam(); vp != nil {
		p := passThrough(*vp)
		spec.VarParam = &p
	}
	predict, refuse := predictors[name], refusals[name]
	spec.Impl = func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		b := e.budget
		if b.aborted() {
			return cty.DynamicVal, nil
		}
		conv := make([]cty.Value, len(args))
		for i, arg := range args {
			p := fn.VarParam()
			if i < len(inner) {
				p = &inner[i]
			}
			if le := b.charge(arg, "Argument "+p.Name); le != nil {
				return cty.DynamicVal, function.NewArgError(i, le)
			}
			if p.Type == cty.Number {
				if why := longNumber(arg); why != "" {
					return cty.DynamicVal, function.NewArgError(i, b.fail(&limitError{summary: "Call too costly", detail: why}))
				}
			}
			v, err := convert.Convert(arg, p.Type)
			if err != nil {
				return cty.DynamicVal, function.NewArgError(i, err)
			}
			conv[i] = v
		}
		var le *limitError
		if predict != nil {
			if size, what := predict(conv); size > MaxValueSize {
				le = tooLarge(fmt.Sprintf("%s would take about %s; xbake's limit for one value is %s.", what, formatCost(size), formatCost(MaxValueSize)))
			}
		}
		if refuse != nil {
			if why := refuse(conv); why != "" {
				le = &limitError{summary: "Call too costly", detail: why}
			}
		}
		if le != nil {
			return cty.DynamicVal, b.fail(le)
		}
		if work := works[name]; work != nil {
			// Steps stand for time: a function that works long takes many.
			b.steps += work(conv)
			if le := b.spent(); le != nil {
				return cty.DynamicVal, le
			}
		}
		v, err := fn.Call(conv)
		if b.aborted() {
			// Stopped inside (a user function's body, try): the error is
			// reported once, by Eval.
			return cty.DynamicVal, nil
		}
		if err != nil {
			return v, err
		}
		if le := b.charge(v, "The result of "+name); le != nil {
			return cty.DynamicVal, le
		}
		return v, nil
	}
	return function.New(spec)
}

// passThrough is a parameter that accepts any value as it is. Expression
// parameters (try, can) keep their type: HCL passes them unevaluated.
func passThrough(p function.Parameter) function.Parameter {
	if customdecode.CustomExpressionDecoderForType(p.Type) != nil {
		return p
	}
	return function.Parameter{
		Name: p.Name, Description: p.Description, Type: cty.DynamicPseudoType,
		AllowNull: true, AllowUnknown: true, AllowDynamicType: true, AllowMarked: true,
	}
}

// predictors estimate, from the converted arguments, the size of the
// result of functions whose result can be far larger than their
// arguments, and say what would be large. Unknown and null arguments
// predict nothing: the function returns unknown or fails on them.
var predictors = map[string]func(args []cty.Value) (int64, string){
	"setproduct": func(args []cty.Value) (int64, string) {
		n := big.NewInt(1)
		for _, a := range args {
			l, ok := length(a)
			if !ok {
				return 0, ""
			}
			n.Mul(n, big.NewInt(l))
		}
		per := big.NewInt(stepCost * int64(len(args)+1))
		return capped(n.Mul(n, per)), fmt.Sprintf("The product of %d sets (setproduct)", len(args))
	},
	"indent": func(args []cty.Value) (int64, string) {
		spaces, ok1 := integer(args[0])
		str, ok2 := text(args[1])
		if !ok1 || !ok2 {
			return 0, ""
		}
		lines := big.NewInt(int64(strings.Count(str, "\n") + 1))
		return capped(lines.Mul(lines, spaces)) + int64(len(str)), "The indented string"
	},
	"format":     formatPredictor(false),
	"formatlist": formatPredictor(true),
	"join": func(args []cty.Value) (int64, string) {
		sep, ok := text(args[0])
		if !ok {
			return 0, ""
		}
		var n, size int64
		for _, l := range args[1:] {
			c, ok := length(l)
			if !ok {
				return 0, ""
			}
			n += c
			size += cost(l, MaxValueSize)
		}
		return size + n*int64(len(sep)), "The joined string"
	},
	"replace": func(args []cty.Value) (int64, string) {
		str, ok1 := text(args[0])
		sub, ok2 := text(args[1])
		rep, ok3 := text(args[2])
		if !ok1 || !ok2 || !ok3 {
			return 0, ""
		}
		n := int64(utf8.RuneCountInString(str) + 1)
		if sub != "" {
			n = int64(strings.Count(str, sub))
		}
		return int64(len(str)) + n*int64(len(rep)), "The replaced string"
	},
	"regex_replace": func(args []cty.Value) (int64, string) {
		str, ok1 := text(args[0])
		rep, ok2 := text(args[2])
		if !ok1 || !ok2 {
			return 0, ""
		}
		// At most one match per position, and each $group reference
		// copies at most the whole string once over all matches.
		n := int64(len(str) + 1)
		refs := int64(strings.Count(rep, "$"))
		return n*int64(len(rep)) + int64(len(str))*(1+refs), "The replaced string"
	},
	"regex":    regexPredictor,
	"regexall": regexPredictor,
	"split": func(args []cty.Value) (int64, string) {
		sep, ok1 := text(args[0])
		str, ok2 := text(args[1])
		if !ok1 || !ok2 {
			return 0, ""
		}
		n := int64(utf8.RuneCountInString(str))
		if sep != "" {
			n = int64(strings.Count(str, sep) + 1)
		}
		return n*stepCost + int64(len(str)), "The list of parts"
	},
	"csvdecode":  decodePredictor(",\n", "The decoded CSV"),
	"jsondecode": decodePredictor(",:[{", "The decoded JSON"),
}

// refusals say why a call would take far too long, or "".
var refusals = map[string]func(args []cty.Value) string{
	"rsadecrypt": func(args []cty.Value) string {
		// Decryption time grows with the cube of the key size; a
		// 16,384-bit key is about 13 KiB of PEM.
		if key, ok := text(args[1]); ok && len(key) > maxRSAKey {
			return fmt.Sprintf("The private key is %s long; decrypting with a key that large takes minutes. xbake reads keys of up to %s.", formatCost(int64(len(key))), formatCost(maxRSAKey))
		}
		return ""
	},
	"bcrypt": func(args []cty.Value) string {
		// Each step of cost doubles the time: 10 takes 50 ms, 20 a minute.
		if c := bcryptCost(args); c > maxBcryptCost {
			return fmt.Sprintf("A bcrypt hash of cost %d takes minutes to hours to compute (each step of cost doubles the time; 10, the default, takes 50 ms). xbake allows costs up to %d.", c, maxBcryptCost)
		}
		return ""
	},
	"parseint": func(args []cty.Value) string { return longNumber(args[0]) },
	"convert": func(args []cty.Value) string {
		if typeexpr.TypeConstraintFromVal(args[1]) == cty.Number {
			return longNumber(args[0])
		}
		return ""
	},
}

// works are the steps a call costs beyond one, for functions whose time
// does not show in the size of their result.
var works = map[string]func(args []cty.Value) int64{
	// Cost 10 takes about 50 ms, some 25,000 steps; 15, the largest
	// allowed, most of a run's steps.
	"bcrypt": func(args []cty.Value) int64 { return 25 << bcryptCost(args) },
}

const (
	maxBcryptCost = 15
	maxRSAKey     = 64 << 10
)

// bcryptCost is the cost a bcrypt call asks for (10 when it names none),
// saturated at 31.
func bcryptCost(args []cty.Value) int64 {
	if len(args) < 2 {
		return 10
	}
	c, ok := integer(args[1])
	if !ok || c.Sign() < 0 {
		return 10
	}
	if !c.IsInt64() || c.Int64() > 31 {
		return 31
	}
	return c.Int64()
}

// longNumber says why a string is too long to read as a number, or "":
// reading a number takes time that grows with the square of its digits.
func longNumber(v cty.Value) string {
	if s, ok := text(v); ok && len(s) > maxNumberLength {
		return fmt.Sprintf("This string of %d characters is read as a number, which takes time that grows with the square of its length; xbake reads numbers of up to %d characters.", len(s), maxNumberLength)
	}
	return ""
}

var formatVerb = regexp.MustCompile(`%(?:\[\d+\])?[-+ #0]*(\d*)(?:\.(\d*))?`)

// formatPredictor bounds format and formatlist: every verb prints at most
// its width and precision, or one of the arguments.
func formatPredictor(list bool) func([]cty.Value) (int64, string) {
	return func(args []cty.Value) (int64, string) {
		f, ok := text(args[0])
		if !ok {
			return 0, ""
		}
		widths := big.NewInt(0)
		verbs := int64(0)
		for _, m := range formatVerb.FindAllStringSubmatch(f, -1) {
			verbs++
			for _, num := range m[1:] {
				if w, ok := new(big.Int).SetString(num, 10); ok {
					widths.Add(widths, w)
				}
			}
		}
		var largest int64
		n := int64(1)
		for _, a := range args[1:] {
			largest = max(largest, cost(a, MaxValueSize))
			if l, ok := length(a); ok && list && (a.Type().IsListType() || a.Type().IsTupleType()) {
				n = max(n, l)
			}
		}
		per := big.NewInt(int64(len(f)) + verbs*largest)
		per.Add(per, widths)
		return capped(per.Mul(per, big.NewInt(n))), "The formatted string"
	}
}

// regexPredictor counts the matches first (a regular expression that
// matches the empty string matches at every position).
func regexPredictor(args []cty.Value) (int64, string) {
	pattern, ok1 := text(args[0])
	str, ok2 := text(args[1])
	if !ok1 || !ok2 {
		return 0, ""
	}
	re, err := regexp.Compile(pattern)
	if err != nil {
		return 0, "" // the function reports it
	}
	most := MaxValueSize / stepCost
	n := int64(len(re.FindAllStringIndex(str, most+1)))
	groups := int64(re.NumSubexp() + 1)
	return n*groups*stepCost + int64(len(str))*groups, "The list of matches"
}

// decodePredictor bounds a decoder by its separators: each one starts a
// new value.
func decodePredictor(seps, what string) func([]cty.Value) (int64, string) {
	return func(args []cty.Value) (int64, string) {
		str, ok := text(args[0])
		if !ok {
			return 0, ""
		}
		n := int64(1)
		for _, c := range []byte(seps) {
			n += int64(strings.Count(str, string(c)))
		}
		return n*3*stepCost + int64(len(str)), what
	}
}

func text(v cty.Value) (string, bool) {
	if v.Type() != cty.String || !v.IsKnown() || v.IsNull() {
		return "", false
	}
	return v.AsString(), true
}

func integer(v cty.Value) (*big.Int, bool) {
	if v.Type() != cty.Number || !v.IsKnown() || v.IsNull() {
		return nil, false
	}
	i, _ := v.AsBigFloat().Int(nil)
	return i, i != nil
}

func length(v cty.Value) (int64, bool) {
	if !v.IsKnown() || v.IsNull() || !v.CanIterateElements() {
		return 0, false
	}
	return int64(v.LengthInt()), true
}

// capped converts n to int64, saturating above MaxValueSize.
func capped(n *big.Int) int64 {
	if n.Sign() < 0 {
		return 0
	}
	if n.Cmp(big.NewInt(MaxValueSize)) > 0 {
		if n.IsInt64() {
			return n.Int64()
		}
		return 1 << 62
	}
	return n.Int64()
}
