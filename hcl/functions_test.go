package hcl

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// buildxFunctionNames is the function set of `docker buildx bake`
// (bake/hclparser/stdlib.go), written out so that a change to the table
// cannot pass unnoticed.
var buildxFunctionNames = []string{
	// go-cty stdlib (79)
	"absolute", "add", "and", "byteslen", "bytesslice", "ceil", "chomp",
	"chunklist", "coalesce", "coalescelist", "compact", "concat", "contains",
	"csvdecode", "distinct", "divide", "element", "equal", "flatten", "floor",
	"format", "formatdate", "formatlist", "greaterthan",
	"greaterthanorequalto", "hasindex", "indent", "index", "int", "join",
	"jsondecode", "jsonencode", "keys", "length", "lessthan",
	"lessthanorequalto", "log", "lookup", "lower", "max", "merge", "min",
	"modulo", "multiply", "negate", "not", "notequal", "or", "parseint", "pow",
	"range", "regex", "regex_replace", "regexall", "replace", "reverse",
	"reverselist", "sethaselement", "setintersection", "setproduct",
	"setsubtract", "setsymmetricdifference", "setunion", "signum", "slice",
	"sort", "split", "strlen", "substr", "subtract", "timeadd", "title",
	"trim", "trimprefix", "trimspace", "trimsuffix", "upper", "values",
	"zipmap",
	// hashicorp/go-cty-funcs (15)
	"base64decode", "base64encode", "bcrypt", "cidrhost", "cidrnetmask",
	"cidrsubnet", "cidrsubnets", "md5", "rsadecrypt", "sha1", "sha256",
	"sha512", "urlencode", "uuidv4", "uuidv5",
	// HCL extensions (3)
	"can", "convert", "try",
	// buildx (9)
	"basename", "dirname", "formattimestamp", "homedir", "indexof",
	"sanitize", "semvercmp", "timestamp", "unixtimestampparse",
}

func TestFunctionNamesAreBuildx(t *testing.T) {
	want := slices.Sorted(slices.Values(buildxFunctionNames))
	if len(want) != 106 {
		t.Fatalf("the literal list has %d names, buildx has 106", len(want))
	}
	if diff := cmp.Diff(want, FunctionNames()); diff != "" {
		t.Errorf("FunctionNames() differs from buildx (-buildx +ours):\n%s", diff)
	}
	fns := Functions()
	if len(fns) != len(want) {
		t.Errorf("Functions() has %d entries, want %d", len(fns), len(want))
	}
	for _, name := range want {
		if _, ok := fns[name]; !ok {
			t.Errorf("Functions() lacks %q", name)
		}
	}
}

func TestFunctionTable(t *testing.T) {
	var impure []string
	for i, b := range builtins {
		if i > 0 && builtins[i-1].name >= b.name {
			t.Errorf("table not sorted or not unique: %q then %q", builtins[i-1].name, b.name)
		}
		if d := b.description(); d == "" || strings.ContainsAny(d, "\n|\\") {
			t.Errorf("%s: description %q must be one non-empty line without | or \\", b.name, d)
		}
		if b.impure {
			impure = append(impure, b.name)
		}
		if b.deprecated != "" && !slices.Contains(FunctionNames(), b.deprecated) {
			t.Errorf("%s: deprecated in favour of unknown function %q", b.name, b.deprecated)
		}
	}
	if diff := cmp.Diff([]string{"bcrypt", "homedir", "timestamp", "uuidv4"}, impure); diff != "" {
		t.Errorf("impure functions (-want +got):\n%s", diff)
	}
}

func TestFunctionsReturnsAFreshMap(t *testing.T) {
	a := Functions()
	delete(a, "upper")
	a["mine"] = a["lower"]
	b := Functions()
	if _, ok := b["upper"]; !ok {
		t.Error("deleting from one Functions() map changed the next")
	}
	if _, ok := b["mine"]; ok {
		t.Error("adding to one Functions() map changed the next")
	}
}

// evalFuncExpr evaluates one HCL native-syntax expression the way a bake file
// attribute is evaluated: with the built-in functions and the given variables.
func evalFuncExpr(t *testing.T, src string, vars map[string]cty.Value) (cty.Value, hcl.Diagnostics) {
	t.Helper()
	expr, diags := hclsyntax.ParseExpression([]byte(src), "test.hcl", hcl.InitialPos)
	if diags.HasErrors() {
		t.Fatalf("parse %s: %s", src, diags.Error())
	}
	return expr.Value(&hcl.EvalContext{Functions: Functions(), Variables: vars})
}

func ctyStrings(ss ...string) []cty.Value {
	vals := make([]cty.Value, len(ss))
	for i, s := range ss {
		vals[i] = cty.StringVal(s)
	}
	return vals
}

func ctyInt(n int64) cty.Value { return cty.NumberIntVal(n) }

type funcCase struct {
	expr string
	want cty.Value
}

func runFuncCases(t *testing.T, cases []funcCase, vars map[string]cty.Value) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.expr, func(t *testing.T) {
			got, diags := evalFuncExpr(t, tc.expr, vars)
			if diags.HasErrors() {
				t.Fatalf("unexpected error: %s", diags.Error())
			}
			if !got.RawEquals(tc.want) {
				t.Errorf("got  %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

// The functions buildx adds, with every case of its own tests and more.
func TestBuildxFunctions(t *testing.T) {
	runFuncCases(t, []funcCase{
		{`basename("")`, cty.StringVal(".")},
		{`basename("/")`, cty.StringVal("/")},
		{`basename("/foo/bar")`, cty.StringVal("bar")},
		{`basename("foo/bar")`, cty.StringVal("bar")},
		{`basename("foo/bar/")`, cty.StringVal("bar")},
		{`basename("/foo/bar...")`, cty.StringVal("bar...")},
		{`basename("C:\\dir\\file")`, cty.StringVal(`C:\dir\file`)}, // slash-separated on every OS

		{`dirname("")`, cty.StringVal(".")},
		{`dirname("/")`, cty.StringVal("/")},
		{`dirname("/foo/bar")`, cty.StringVal("/foo")},
		{`dirname("foo/bar")`, cty.StringVal("foo")},
		{`dirname("bar")`, cty.StringVal(".")},
		{`dirname("/foo/bar..")`, cty.StringVal("/foo")},
		{`dirname("a//b/../c/")`, cty.StringVal("a/c")},

		{`indexof(["one", 2, 3, "four"], "one")`, ctyInt(0)},
		{`indexof(["one", 2, 3, "four"], "four")`, ctyInt(3)},
		{`indexof(["one", 2, 3, "four"], 3)`, ctyInt(2)},
		{`indexof([1, 2.0, 2], 2)`, ctyInt(1)},
		{`indexof(["a", "b", "b"], "b")`, ctyInt(1)},
		{`indexof(convert(["x", "y"], list(string)), "y")`, ctyInt(1)},
		{`indexof([["a"], {b = 1}], {b = 1})`, ctyInt(1)},

		{`sanitize("")`, cty.StringVal("")},
		{`sanitize("foobar")`, cty.StringVal("foobar")},
		{`sanitize("foo/bar")`, cty.StringVal("foo_bar")},
		{`sanitize("foo/bar...")`, cty.StringVal("foo_bar___")},
		{`sanitize("foo/🍕bar")`, cty.StringVal("foo__bar")},
		{`sanitize("foo/bar!@(ba+z)")`, cty.StringVal("foo_bar___ba_z_")},
		{`sanitize("linux/arm/v7")`, cty.StringVal("linux_arm_v7")},
		{`sanitize("Ab-9_ é")`, cty.StringVal("Ab-9___")},

		{`semvercmp("3.23", ">= 3.20")`, cty.True},
		{`semvercmp("3.19", ">= 3.20")`, cty.False},
		{`semvercmp("v1.2.3", "~1.2")`, cty.True},
		{`semvercmp("2.0.0", "^1.2")`, cty.False},
		{`semvercmp("1.5.0", ">= 1.2, < 2.0")`, cty.True},
		{`semvercmp("3.1.0", "1.x || 3.x")`, cty.True},
		{`semvercmp("1.3.0-rc.1", ">= 1.2")`, cty.False}, // prereleases need a prerelease constraint
		{`semvercmp("1.3.0-rc.1", ">= 1.3.0-rc.0")`, cty.True},

		{`formattimestamp("YYYY-MM-DD", 1690328596)`, cty.StringVal("2023-07-25")},
		{`formattimestamp("YYYY-MM-DD'T'hh:mm:ssZ", "1690328596")`, cty.StringVal("2023-07-25T23:43:16Z")},
		{`formattimestamp("EEEE, DD MMM YYYY hh:mm ZZZ", "2023-07-25T23:43:16Z")`, cty.StringVal("Tuesday, 25 Jul 2023 23:43 UTC")},
		{`formattimestamp("hh:mm ZZZZZ", "2023-07-25T23:43:16+02:00")`, cty.StringVal("23:43 +02:00")},
		{`formattimestamp("X", 1690328596)`, cty.StringVal("1690328596")},
		{`formattimestamp("X", "2023-07-25T23:43:16Z")`, cty.StringVal("1690328596")},
		{`formattimestamp("X", "2023-07-25T23:43:16+02:00")`, cty.StringVal("1690321396")},
		{`formattimestamp("YYYY-MM-DD", -86400)`, cty.StringVal("1969-12-31")},

		{`unixtimestampparse(1690328596)`, cty.ObjectVal(map[string]cty.Value{
			"year":         ctyInt(2023),
			"year_day":     ctyInt(206),
			"day":          ctyInt(25),
			"month":        ctyInt(7),
			"month_name":   cty.StringVal("July"),
			"weekday":      ctyInt(2),
			"weekday_name": cty.StringVal("Tuesday"),
			"hour":         ctyInt(23),
			"minute":       ctyInt(43),
			"second":       ctyInt(16),
			"rfc3339":      cty.StringVal("2023-07-25T23:43:16Z"),
			"iso_year":     ctyInt(2023),
			"iso_week":     ctyInt(30),
		})},
		{`unixtimestampparse("0").rfc3339`, cty.StringVal("1970-01-01T00:00:00Z")},
		{`unixtimestampparse(-1).rfc3339`, cty.StringVal("1969-12-31T23:59:59Z")},
		{`[for k in ["iso_year", "iso_week", "weekday_name"] : unixtimestampparse(1609459200)[k]]`, cty.TupleVal([]cty.Value{ctyInt(2020), ctyInt(53), cty.StringVal("Friday")})},
	}, nil)
}

func TestHomedir(t *testing.T) {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		t.Skip("the home directory comes from $HOME only on unix")
	}
	t.Setenv("HOME", "/home/baker")
	runFuncCases(t, []funcCase{{`homedir()`, cty.StringVal("/home/baker")}}, nil)

	t.Setenv("HOME", "")
	if _, diags := evalFuncExpr(t, `homedir()`, nil); !diags.HasErrors() {
		t.Error("homedir() without $HOME: want an error")
	}
}

// Impure functions: only the shape of the result is stable.
func TestImpureFunctions(t *testing.T) {
	for _, tc := range []struct{ expr, pattern string }{
		{`timestamp()`, `^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`},
		{`uuidv4()`, `^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`},
		{`bcrypt("secret", 4)`, `^\$2a\$04\$[./A-Za-z0-9]{53}$`},
		{`formattimestamp("X", timestamp())`, `^\d{10,}$`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			got, diags := evalFuncExpr(t, tc.expr, nil)
			if diags.HasErrors() {
				t.Fatalf("unexpected error: %s", diags.Error())
			}
			if !regexp.MustCompile(tc.pattern).MatchString(got.AsString()) {
				t.Errorf("%s = %q, want a match of %s", tc.expr, got.AsString(), tc.pattern)
			}
		})
	}
}

// One or more calls per family of the library functions, so that a wrong
// mapping of a buildx name to a library function shows up.
func TestLibraryFunctions(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 rsadecrypt (go-cty-funcs) decrypts PKCS #1 v1.5, so the test vector must use it.
	ciphertext, err := rsa.EncryptPKCS1v15(rand.Reader, &key.PublicKey, []byte("s3cr3t"))
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]cty.Value{
		"buf":        stdlib.BytesVal([]byte("hello")),
		"ciphertext": cty.StringVal(base64.StdEncoding.EncodeToString(ciphertext)),
		"privkey": cty.StringVal(string(pem.EncodeToMemory(&pem.Block{
			Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key),
		}))),
	}

	runFuncCases(t, []funcCase{
		// numbers
		{`absolute(-3.5)`, cty.NumberFloatVal(3.5)},
		{`add(1, 2)`, ctyInt(3)},
		{`subtract(10, 4)`, ctyInt(6)},
		{`multiply(6, 7)`, ctyInt(42)},
		{`divide(7, 2)`, cty.NumberFloatVal(3.5)},
		{`modulo(7, 3)`, ctyInt(1)},
		{`negate(4)`, ctyInt(-4)},
		{`ceil(1.2)`, ctyInt(2)},
		{`floor(-1.2)`, ctyInt(-2)},
		{`int(3.9)`, ctyInt(3)},
		{`log(16, 2)`, ctyInt(4)},
		{`pow(2, 10)`, ctyInt(1024)},
		{`signum(-7)`, ctyInt(-1)},
		{`max(1, 7, 3)`, ctyInt(7)},
		{`min(1, 7, 3)`, ctyInt(1)},
		{`parseint("ff", 16)`, ctyInt(255)},
		{`range(3)`, cty.ListVal([]cty.Value{ctyInt(0), ctyInt(1), ctyInt(2)})},

		// comparison and logic
		{`equal(1, 1.0)`, cty.True},
		{`notequal("a", "b")`, cty.True},
		{`greaterthan(2, 1)`, cty.True},
		{`greaterthanorequalto(1, 1)`, cty.True},
		{`lessthan(1, 2)`, cty.True},
		{`lessthanorequalto(2, 1)`, cty.False},
		{`and(true, false)`, cty.False},
		{`or(true, false)`, cty.True},
		{`not(false)`, cty.True},

		// strings
		{`chomp("a\n\n")`, cty.StringVal("a")},
		{`indent(2, "a\nb")`, cty.StringVal("a\n  b")},
		{`lower("ABC")`, cty.StringVal("abc")},
		{`upper("abc")`, cty.StringVal("ABC")},
		{`title("hello world")`, cty.StringVal("Hello World")},
		{`trim("?!hello?!", "!?")`, cty.StringVal("hello")},
		{`trimprefix("helloworld", "hello")`, cty.StringVal("world")},
		{`trimsuffix("helloworld", "world")`, cty.StringVal("hello")},
		{`trimspace("  x \n")`, cty.StringVal("x")},
		{`strlen("héllo")`, ctyInt(5)},
		{`substr("hello world", 1, 4)`, cty.StringVal("ello")},
		{`replace("1 + 2 + 3", "+", "-")`, cty.StringVal("1 - 2 - 3")},
		{`regex_replace("hello world", "o", "0")`, cty.StringVal("hell0 w0rld")},
		{`regex("[a-z]+", "2023abc45")`, cty.StringVal("abc")},
		{`regexall("[a-z]+", "1abcd2efgh3")`, cty.ListVal(ctyStrings("abcd", "efgh"))},
		{`reverse("hello")`, cty.StringVal("olleh")},
		{`split(",", "a,b,c")`, cty.ListVal(ctyStrings("a", "b", "c"))},
		{`join("-", ["a", "b"], ["c"])`, cty.StringVal("a-b-c")},
		{`format("%s-%03d", "v", 7)`, cty.StringVal("v-007")},
		{`formatlist("Hello, %s!", ["Ana", "Bo"])`, cty.ListVal(ctyStrings("Hello, Ana!", "Hello, Bo!"))},

		// bytes
		{`byteslen(buf)`, ctyInt(5)},
		{`byteslen(bytesslice(buf, 1, 3))`, ctyInt(3)}, // offset, length

		// collections
		{`chunklist(["a", "b", "c"], 2)`, cty.ListVal([]cty.Value{cty.ListVal(ctyStrings("a", "b")), cty.ListVal(ctyStrings("c"))})},
		{`coalesce(null, "b", "c")`, cty.StringVal("b")},
		{`coalescelist([], ["a"])`, cty.TupleVal(ctyStrings("a"))},
		{`compact(["a", "", "b"])`, cty.ListVal(ctyStrings("a", "b"))},
		{`concat(["a"], ["b", "c"])`, cty.TupleVal(ctyStrings("a", "b", "c"))},
		{`contains(["a", "b"], "b")`, cty.True},
		{`distinct(["a", "b", "a"])`, cty.ListVal(ctyStrings("a", "b"))},
		{`element(["a", "b", "c"], 4)`, cty.StringVal("b")},
		{`flatten([["a"], ["b", ["c"]]])`, cty.TupleVal(ctyStrings("a", "b", "c"))},
		{`hasindex(["a"], 1)`, cty.False},
		{`index(["a", "b"], 1)`, cty.StringVal("b")}, // cty's index is element access, not Terraform's search
		{`keys({b = 1, a = 2})`, cty.TupleVal(ctyStrings("a", "b"))},
		{`length(["a", "b"])`, ctyInt(2)},
		{`lookup({a = "x"}, "b", "default")`, cty.StringVal("default")},
		{`merge({a = 1}, {b = 2})`, cty.ObjectVal(map[string]cty.Value{"a": ctyInt(1), "b": ctyInt(2)})},
		{`reverselist(["a", "b"])`, cty.TupleVal(ctyStrings("b", "a"))},
		{`slice(["a", "b", "c", "d"], 1, 3)`, cty.TupleVal(ctyStrings("b", "c"))},
		{`sort(["c", "a", "b"])`, cty.ListVal(ctyStrings("a", "b", "c"))},
		{`values({b = 2, a = 1})`, cty.TupleVal([]cty.Value{ctyInt(1), ctyInt(2)})},
		{`zipmap(["a", "b"], [1, 2])`, cty.ObjectVal(map[string]cty.Value{"a": ctyInt(1), "b": ctyInt(2)})},

		// sets
		{`sethaselement(convert(["a"], set(string)), "a")`, cty.True},
		{`setunion(["a"], ["b"])`, cty.SetVal(ctyStrings("a", "b"))},
		{`setintersection(["a", "b"], ["b", "c"])`, cty.SetVal(ctyStrings("b"))},
		{`setsubtract(["a", "b"], ["b"])`, cty.SetVal(ctyStrings("a"))},
		{`setsymmetricdifference(["a", "b"], ["b", "c"])`, cty.SetVal(ctyStrings("a", "c"))},
		{`length(setproduct(["a", "b"], ["x", "y", "z"]))`, ctyInt(6)},

		// encodings
		{`base64encode("Hello World")`, cty.StringVal("SGVsbG8gV29ybGQ=")},
		{`base64decode("SGVsbG8gV29ybGQ=")`, cty.StringVal("Hello World")},
		{`urlencode("a b&c/é")`, cty.StringVal("a+b%26c%2F%C3%A9")},
		{`jsonencode({a = [1, "b", null]})`, cty.StringVal(`{"a":[1,"b",null]}`)},
		{`jsondecode("{\"a\": [1, true]}").a[1]`, cty.True},
		{`csvdecode("a,b\n1,2\n")`, cty.ListVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{"a": cty.StringVal("1"), "b": cty.StringVal("2")})})},

		// hashes, crypto, UUIDs
		{`md5("hello world")`, cty.StringVal("5eb63bbbe01eeed093cb22bb8f5acdc3")},
		{`sha1("hello world")`, cty.StringVal("2aae6c35c94fcfb415dbe95f408b9ce91ee846ed")},
		{`sha256("hello world")`, cty.StringVal("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")},
		{`sha512("hello world")`, cty.StringVal("309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f")},
		{`rsadecrypt(ciphertext, privkey)`, cty.StringVal("s3cr3t")},
		{`uuidv5("dns", "www.terraform.io")`, cty.StringVal("a5008fae-b28c-5ba5-96cd-82b4c53552d6")},

		// networks
		{`cidrhost("10.12.112.0/20", 16)`, cty.StringVal("10.12.112.16")},
		{`cidrnetmask("172.16.0.0/12")`, cty.StringVal("255.240.0.0")},
		{`cidrsubnet("172.16.0.0/12", 4, 2)`, cty.StringVal("172.18.0.0/16")},
		{`cidrsubnets("10.1.0.0/16", 4, 4, 8, 4)`, cty.ListVal(ctyStrings("10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"))},

		// time
		{`formatdate("DD MMM YYYY hh:mm ZZZ", "2018-01-02T23:12:01Z")`, cty.StringVal("02 Jan 2018 23:12 UTC")},
		{`timeadd("2017-11-22T00:00:00Z", "10m")`, cty.StringVal("2017-11-22T00:10:00Z")},

		// HCL extensions
		{`can(["a"][3])`, cty.False},
		{`can(["a"][0])`, cty.True},
		{`try(["a"][3], "fallback")`, cty.StringVal("fallback")},
		{`convert(["a", "b"], list(string))`, cty.ListVal(ctyStrings("a", "b"))},
		{`convert("5", number)`, ctyInt(5)},
	}, vars)
}

// Error conditions: the function must fail, and the message must say why.
func TestFunctionErrors(t *testing.T) {
	for _, tc := range []struct{ expr, wantDetail string }{
		{`indexof([], "a")`, `Call to function "indexof" failed: cannot search an empty list.`},
		{`indexof(["one", 2], "two")`, `Call to function "indexof" failed: item not found.`},
		{`indexof(["3"], 3)`, `item not found`},
		{`indexof({a = 1}, 1)`, `argument must be a list or tuple`},
		{`indexof(convert(["a"], set(string)), "a")`, `argument must be a list or tuple`},
		{`indexof(["a"])`, `Function "indexof" expects 2 argument(s)`},

		{`sanitize(["a"])`, `Invalid value for "name" parameter: string required`},
		{`sanitize(null)`, `argument must not be null`},
		{`basename()`, `Function "basename" expects 1 argument(s)`},

		{`semvercmp("latest", ">= 3.20")`, `invalid version "latest"`},
		{`semvercmp("1.0.0", "about 1")`, `invalid constraint "about 1"`},

		{`formattimestamp("X", 1.5)`, `whole number of seconds`},
		{`formattimestamp("YYYY", true)`, `must be an RFC 3339 timestamp string or a number of unix seconds, not bool`},
		{`formattimestamp("X", "yesterday")`, `not a valid RFC 3339 timestamp`},
		{`formattimestamp("YYYY", "yesterday")`, `Invalid value for "timestamp" parameter`},
		{`formattimestamp("YYYY Q", 0)`, `invalid date format verb "Q"`},
		{`unixtimestampparse(1.5)`, `whole number of seconds`},
		{`unixtimestampparse("soon")`, `a number is required`},

		{`element([], 0)`, `cannot use element function with an empty list`},
		{`parseint("zz", 10)`, `cannot parse "zz" as a base 10 integer`},
		{`try(["a"][3])`, `no expression succeeded`},
		{`convert("x", number)`, `a number is required`},
		{`cidrhost("10.0.0.0/30", 8)`, `does not accommodate a host numbered 8`},
		{`base64decode("%%%")`, `failed to decode base64 data`},
		{`uuidv5("nope", "x")`, `doesn't support namespace nope`},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			got, diags := evalFuncExpr(t, tc.expr, nil)
			if !diags.HasErrors() {
				t.Fatalf("got %#v, want an error containing %q", got, tc.wantDetail)
			}
			if msg := diags.Error(); !strings.Contains(msg, tc.wantDetail) {
				t.Errorf("error %q\ndoes not contain %q", msg, tc.wantDetail)
			}
		})
	}
}

// Unknown values, as the evaluator produces while variables are still being
// resolved, must pass through the buildx functions instead of failing.
func TestFunctionsUnknownArguments(t *testing.T) {
	vars := map[string]cty.Value{
		"s":    cty.UnknownVal(cty.String),
		"n":    cty.UnknownVal(cty.Number),
		"list": cty.TupleVal([]cty.Value{cty.StringVal("a"), cty.UnknownVal(cty.String)}),
	}
	for _, expr := range []string{
		`basename(s)`, `dirname(s)`, `sanitize(s)`, `semvercmp(s, ">1")`,
		`indexof(list, "b")`, `formattimestamp("X", n)`, `unixtimestampparse(n)`,
	} {
		got, diags := evalFuncExpr(t, expr, vars)
		if diags.HasErrors() {
			t.Errorf("%s: %s", expr, diags.Error())
			continue
		}
		if got.IsWhollyKnown() {
			t.Errorf("%s = %#v, want an unknown value", expr, got)
		}
	}
}
