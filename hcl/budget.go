package hcl

import (
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
)

// Evaluation is bounded in memory and work, because a 300-byte file can
// ask for gigabytes: a function that doubles a string, called 30 times
// nested, or setproduct(range(1000), range(1000), range(1000)). A soft
// memory limit would only slow such a file down; these limits stop it
// with a positioned error, for every command (--print, --list, --plan and
// builds), before the memory is spent where the size can be predicted and
// right after each value is made where it cannot.
//
// Sizes are in cost units, about the bytes a value takes in memory: a
// string costs its length, every value and every element 32 more, a number
// its printed length. The first limit reached stops evaluation: every
// expression is unknown from then on, and the error is reported once.
// Real definitions are far below the limits: the 5,000-target benchmark
// file spends about 1% of MaxEvalCost and 5% of MaxEvalSteps.
const (
	// MaxValueSize is the largest value an expression or function may
	// produce.
	MaxValueSize = 1 << 20
	// MaxEvalCost bounds all the values made during one load.
	MaxEvalCost = 256 << 20
	// MaxEvalSteps bounds the steps of one load (function calls, for
	// iterations, template parts...), which bounds its time: a step takes
	// about a microsecond.
	MaxEvalSteps = 1_000_000
)

const stepCost = 32

// maxSteps is MaxEvalSteps, in a variable so that the tests that reach it
// can use a tenth under the race detector, which is ten times slower.
var maxSteps int64 = MaxEvalSteps

// maxChain bounds chains of variables that refer to the next one, and of
// user functions that call the next one: each link is a nested evaluation
// on the Go stack (24,000 nested calls took 400 MB of stack).
const maxChain = 1000

// budget is the evaluation budget of one Evaluator.
type budget struct {
	used, steps int64
	// stop is set by the first limit reached: from then on every hook
	// returns an unknown value at once, and Eval reports over.
	stop bool
	over *hcl.Diagnostic
	// first is the limit that stopped evaluation (HCL hides it inside a
	// function.ArgError when it is about an argument).
	first *limitError
}

// limitError is a limit reached while evaluating. A function returns it
// as its error; Eval turns the "Call to function failed" diagnostic HCL
// makes of it into diag at the call's range.
type limitError struct {
	summary, detail string
	// at is where the value was made, when that is in a user function's
	// body rather than at the call.
	at *hcl.Range
}

func (e *limitError) Error() string { return e.detail }

// diag is the error at rng; its Extra is e, so that a user function can
// pass it on to its caller as it is.
func (e *limitError) diag(rng hcl.Range) *hcl.Diagnostic {
	d := Errorf(&rng, e.summary, "%s", e.detail)
	d.Extra = e
	return d
}

// charge measures v (at most to MaxValueSize) and adds its cost; what
// names v in the error.
func (b *budget) charge(v cty.Value, what string) *limitError {
	size := cost(v, MaxValueSize)
	b.used += size
	b.steps++
	if size > MaxValueSize {
		return b.fail(tooLarge(fmt.Sprintf("%s is larger than %s, xbake's limit for one value.", what, formatCost(MaxValueSize))))
	}
	return b.spent()
}

// spent reports whether the budget of the whole load is spent.
func (b *budget) spent() *limitError {
	if b.used <= MaxEvalCost && b.steps <= maxSteps {
		return nil
	}
	what := fmt.Sprintf("more than %s of values", formatCost(MaxEvalCost))
	if b.steps > maxSteps {
		what = fmt.Sprintf("more than %d steps (function calls, loop iterations, string parts)", maxSteps)
	}
	return b.fail(&limitError{summary: "Evaluation too large", detail: fmt.Sprintf(
		"Evaluating the definition took %s by here, which is xbake's limit for one run. Look for a loop, a matrix or nested function calls that multiply their input.",
		what)})
}

// fail stops evaluation on le.
func (b *budget) fail(le *limitError) *limitError {
	if !b.stop {
		b.stop, b.first = true, le
	}
	return le
}

// tooLarge says why a value is too large (a sentence) and what to do.
func tooLarge(why string) *limitError {
	return &limitError{summary: "Value too large", detail: why +
		" Make the inputs smaller, or split the value into several attributes or targets."}
}

// aborted reports whether a limit was reached: hooks then return at once.
func (b *budget) aborted() bool { return b.stop }

// report records d as the error that stopped evaluation, the first time,
// and returns the recorded error for d's repeats, so that it prints once.
func (b *budget) report(d *hcl.Diagnostic) *hcl.Diagnostic {
	if b.over == nil {
		b.over = d
	}
	if d.Summary == b.over.Summary && d.Detail == b.over.Detail {
		return b.over
	}
	return d
}

// overAt is the error that stopped evaluation, at rng if it was never
// reported (try and can swallow errors).
func (b *budget) overAt(rng hcl.Range) *hcl.Diagnostic {
	if b.over == nil {
		b.over = b.first.diag(rng)
	}
	return b.over
}

// stopped returns diags of an evaluation that a limit stopped: the
// limit's error once (at rng if it was never reported: try and can
// swallow errors), and the other problems found before it.
func (b *budget) stopped(diags hcl.Diagnostics, rng hcl.Range) hcl.Diagnostics {
	var out hcl.Diagnostics
	for _, d := range diags {
		if _, limit := d.Extra.(*limitError); !limit {
			out = append(out, d)
		}
	}
	return append(out, b.overAt(rng))
}

// limitDiags turns HCL's "Call to function failed" diagnostics for a
// limit (a limitError, from a function or a user function's body) into
// the limit's own error at the call.
func (b *budget) limitDiags(diags hcl.Diagnostics) hcl.Diagnostics {
	for i, d := range diags {
		extra, ok := hcl.DiagnosticExtra[hclsyntax.FunctionCallDiagExtra](d)
		if !ok {
			continue
		}
		var le *limitError
		err := extra.FunctionCallError()
		if ae, ok := err.(function.ArgError); ok && b.first != nil && ae.Error() == b.first.Error() {
			le = b.first
		} else if !errors.As(err, &le) {
			continue
		}
		rng := hcl.Range{}
		if d.Subject != nil {
			rng = *d.Subject
		}
		if le.at != nil {
			rng = *le.at
		}
		diags[i] = b.report(le.diag(rng))
	}
	return diags
}

func formatCost(n int64) string {
	for _, u := range []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}} {
		if n >= u.size {
			s := strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64)
			return strings.TrimSuffix(s, ".0") + " " + u.name
		}
	}
	return fmt.Sprintf("%d bytes", n)
}

// cost returns the size of v in cost units, or a number over limit as
// soon as it is known to be over: measuring is bounded too, and a value
// made of many references to one large value is as large as it looks
// once printed.
func cost(v cty.Value, limit int64) int64 {
	var c int64
	var walk func(v cty.Value, depth int) bool
	walk = func(v cty.Value, depth int) bool {
		c += stepCost
		if depth > MaxNesting {
			c = limit + 1 // a value this deep is built on purpose
		}
		if c > limit {
			return false
		}
		v, _ = v.Unmark()
		if !v.IsKnown() || v.IsNull() {
			return true
		}
		ty := v.Type()
		switch {
		case ty == cty.String:
			c += int64(len(v.AsString()))
		case ty == cty.Number:
			c += numberCost(v.AsBigFloat())
		case ty.IsListType(), ty.IsSetType(), ty.IsTupleType():
			for it := v.ElementIterator(); it.Next(); {
				_, ev := it.Element()
				if !walk(ev, depth+1) {
					return false
				}
			}
		case ty.IsMapType(), ty.IsObjectType():
			for it := v.ElementIterator(); it.Next(); {
				k, ev := it.Element()
				c += int64(len(k.AsString()))
				if !walk(ev, depth+1) {
					return false
				}
			}
		}
		return c <= limit
	}
	walk(v, 0)
	return c
}

// numberCost is the length of a number once printed: cty prints numbers
// in full, so 1e100000000 is a 100-million-digit string.
func numberCost(f *big.Float) int64 {
	if f.IsInf() {
		return 4
	}
	exp := f.MantExp(nil)
	if exp < 0 {
		exp = -exp
	}
	digits := int64(exp) * 30103 / 100000 // log10(2)
	if !f.IsInt() {
		digits += int64(f.MinPrec()) * 30103 / 100000
	}
	return digits + 1
}
