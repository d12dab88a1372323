package hcl

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2"
)

// evalFile evaluates every top-level attribute of one file and returns
// the error diagnostics, with the peak heap and the bytes allocated
// meanwhile (allocation stands for work: a step allocates about 1 KB).
func evalFile(t *testing.T, name, src string) (errs hcl.Diagnostics, peak, alloc uint64) {
	t.Helper()
	files, _, diags := Parse([]File{{Name: name, Data: []byte(src)}})
	if diags.HasErrors() {
		t.Fatalf("parse: %v", diags)
	}
	peak, alloc = measureHeap(func() {
		e, d := New(files, Options{})
		diags = append(d, e.ResolveGlobals()...)
	})
	for _, d := range Sorted(diags) {
		if d.Severity == hcl.DiagError {
			errs = append(errs, d)
		}
	}
	return errs, peak, alloc
}

// measureHeap runs f and returns the largest heap seen while it ran
// (sampled every millisecond) and the bytes it allocated.
func measureHeap(f func()) (peak, alloc uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 { metrics.Read(sample); return sample[0].Value.Uint64() }
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	base := read()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			peak = max(peak, read())
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	runtime.ReadMemStats(&after)
	return max(peak, read()) - min(base, peak), after.TotalAlloc - before.TotalAlloc
}

// TestEvalLimits: values a few bytes of definition can ask for are
// refused with a positioned error, before they are made where the size is
// predictable, and right after each step otherwise. Every case allocates
// less than a small multiple of the limits (the user function doubling a
// string reached 22 GB, setproduct asked for 24 GB at once, indent for
// 3 GB).
func TestEvalLimits(t *testing.T) {
	nest := func(open, inner, close string, n int) string {
		return strings.Repeat(open, n) + inner + strings.Repeat(close, n)
	}
	big := `format("%100000s", "")` // 100 KB, under the limit
	for _, tc := range []struct {
		name, src string
		at        string // file:line:col of the error
		summary   string
		detail    string // a part of the detail
	}{
		{"double.hcl", "function \"d\" {\n  params = [s]\n  result = \"${s}${s}\"\n}\nx = " + nest("d(", `"ab"`, ")", 30),
			"double.hcl:3:12", "Value too large", "This value is larger than 1 MiB"},
		{"setproduct.hcl", "x = setproduct(range(1000), range(1000), range(1000))",
			"setproduct.hcl:1:5", "Value too large", "The product of 3 sets (setproduct) would take about 119.2 GiB"},
		{"indent.hcl", `x = indent(999999999, "a\nb\nc")`,
			"indent.hcl:1:5", "Value too large", "The indented string would take about 2.8 GiB"},
		{"format.hcl", `x = format("%999999999d", 1)`,
			"format.hcl:1:5", "Value too large", "The formatted string would take about 953.7 MiB"},
		{"formatlist.hcl", `x = formatlist("%999999s", range(1000))`,
			"formatlist.hcl:1:5", "Value too large", "The formatted string would take about"},
		{"join.hcl", "s = " + big + "\nx = join(s, range(1000))",
			"join.hcl:2:5", "Value too large", "The joined string would take about 95.4 MiB"},
		{"replace.hcl", "s = " + big + "\nx = replace(s, \" \", s)",
			"replace.hcl:2:5", "Value too large", "The replaced string would take about 9.3 GiB"},
		{"regexall.hcl", "s = " + big + "\nx = regexall(\"\", s)",
			"regexall.hcl:2:5", "Value too large", "The list of matches would take about"},
		{"split.hcl", "s = " + big + "\nx = split(\"\", s)",
			"split.hcl:2:5", "Value too large", "The list of parts would take about 3.1 MiB"},
		{"bcrypt.hcl", `x = bcrypt("secret", 31)`,
			"bcrypt.hcl:1:5", "Call too costly", "A bcrypt hash of cost 31 takes minutes to hours"},
		{"bcrypts.hcl", `x = [for i in range(100) : bcrypt("secret", 12)]`,
			"bcrypts.hcl:1:", "Evaluation too large", "more than 1000000 steps"},
		{"parseint.hcl", "x = parseint(\"" + strings.Repeat("9", 100000) + "\", 10)",
			"parseint.hcl:1:5", "Call too costly", "This string of 100000 characters is read as a number"},
		{"abs.hcl", "s = join(\"\", [for i in range(1000) : \"99999\"])\nx = absolute(s)",
			"abs.hcl:2:14", "Call too costly", "This string of 5000 characters is read as a number"},
		{"for.hcl", "x = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : 1]]]",
			"for.hcl:1:", "Evaluation too large", "more than 1000000 steps"},
		{"filter.hcl", "x = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c if c < 0]]]",
			"filter.hcl:1:", "Evaluation too large", "more than 1000000 steps"},
		{"element.hcl", "s = " + big + "\nx = [for i in range(20) : [" + strings.Repeat("s, ", 20) + "]]",
			"element.hcl:2:", "Value too large", "An element of this for expression is larger than 1 MiB"},
		{"template.hcl", "s = " + big + "\nx = \"" + strings.Repeat("${s}", 20) + "\"",
			"template.hcl:2:5", "Value too large", "This value is larger than 1 MiB"},
		{"tuple.hcl", "s = " + big + "\nx = [" + strings.Repeat("s, ", 20) + "]",
			"tuple.hcl:2:5", "Value too large", "This value is larger than 1 MiB"},
		{"many.hcl", "s = " + big + "\nx = [for i in range(1000) : \"" + strings.Repeat("${s}", 10) + "\"]",
			"many.hcl:2:", "Evaluation too large", "more than 256 MiB of values"},
		{"number.hcl", "x = 1e10000000", "number.hcl:1:5", "Value too large", "This value is larger than 1 MiB"},
		{"multiply.hcl", "n = 1e9000\nx = \"a${" + strings.Repeat("n * ", 200) + "1}\"", "multiply.hcl:2:9", "Value too large", "This part of the string is larger than 1 MiB"},
		{"arith.hcl", "n = 1e9000\nx = upper(" + strings.Repeat("n * ", 200) + "1)", "arith.hcl:2:11", "Value too large", "Argument str is larger than 1 MiB"},
		{"try.hcl", "x = " + nest("try(", `upper("a")`, `, 1)`, 40),
			"try.hcl:1:", "Evaluation too large", "more than 1000000 steps"},
		{"json.json", `{"s": "${` + strings.ReplaceAll(big, `"`, `\"`) + `}", "x": "` + strings.Repeat("${s}", 20) + `"}`,
			"json.json:1:", "Value too large", "This value is larger than 1 MiB"},
		{"jsonfor.json", `{"x": "${[for a in range(1000) : [for b in range(1000) : [for c in range(1000) : 1]]]}"}`,
			"jsonfor.json:1:", "Evaluation too large", "more than 1000000 steps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if raceDetector && strings.Contains(tc.detail, "steps") {
				maxSteps = MaxEvalSteps / 10
				defer func() { maxSteps = MaxEvalSteps }()
				tc.detail = "steps (function calls"
			}
			errs, peak, alloc := evalFile(t, tc.name, tc.src)
			if len(errs) != 1 {
				t.Fatalf("%d errors, want 1: %v", len(errs), errs)
			}
			d := errs[0]
			if at := fmt.Sprintf("%s:%d:%d", d.Subject.Filename, d.Subject.Start.Line, d.Subject.Start.Column); !strings.HasPrefix(at, tc.at) {
				t.Errorf("at %s, want %s", at, tc.at)
			}
			if d.Summary != tc.summary || !strings.Contains(d.Detail, tc.detail) {
				t.Errorf("got %s: %s\nwant %s: ...%s...", d.Summary, d.Detail, tc.summary, tc.detail)
			}
			t.Logf("heap +%d MiB, %d MiB allocated", peak>>20, alloc>>20)
			if peak > 3*MaxEvalCost {
				t.Errorf("the heap grew by %d MiB", peak>>20)
			}
			if alloc > 16*MaxEvalCost {
				t.Errorf("allocated %d MiB", alloc>>20)
			}
		})
	}
}

// TestEvalLimitsKeepWorking: values under the limits, and a definition
// that uses a fair share of the budget, evaluate as before.
func TestEvalLimitsKeepWorking(t *testing.T) {
	src := `
s = format("%100000s", "")
tags = [for i in range(1000) : "registry.example/app:v${i}"]
grid = setproduct(range(30), range(30))
text = join(",", [for i in range(1000) : "${i}"])
doc = indent(2, "a\nb")
json = jsondecode(jsonencode({a = [1, 2, 3]}))
`
	errs, _, _ := evalFile(t, "fine.hcl", src)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
}

// TestEvalChains: chains of variables and of user function calls longer
// than maxChain are refused where they pass the limit (each link is a
// nested evaluation on the Go stack).
func TestEvalChains(t *testing.T) {
	var vars, funcs strings.Builder
	// a0 refers to a1 and so on: a0 is resolved first.
	fmt.Fprintf(&vars, "a%d = 1\n", maxChain+1)
	funcs.WriteString("function \"f0\" {\n  params = [x]\n  result = x\n}\n")
	for i := 1; i <= maxChain+1; i++ {
		fmt.Fprintf(&vars, "a%d = a%d\n", i-1, i)
		fmt.Fprintf(&funcs, "function \"f%d\" {\n  params = [x]\n  result = f%d(x)\n}\n", i, i-1)
	}
	fmt.Fprintf(&funcs, "x = f%d(1)\n", maxChain+1)
	for _, tc := range []struct{ name, src, summary string }{
		{"vars.hcl", vars.String(), "References nest too deeply"},
		{"funcs.hcl", funcs.String(), "Error in function call"},
	} {
		errs, peak, _ := evalFile(t, tc.name, tc.src)
		if len(errs) == 0 || errs[0].Summary != tc.summary {
			t.Errorf("%s: errors %v, want %s", tc.name, errs, tc.summary)
		}
		if len(errs) > 0 && !strings.Contains(errs[0].Detail, "1000") {
			t.Errorf("%s: %s", tc.name, errs[0].Detail)
		}
		if peak > 64<<20 {
			t.Errorf("%s: the heap grew by %d MiB", tc.name, peak>>20)
		}
	}
}
