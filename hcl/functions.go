package hcl

import (
	"github.com/hashicorp/go-cty-funcs/cidr"
	"github.com/hashicorp/go-cty-funcs/crypto"
	"github.com/hashicorp/go-cty-funcs/encoding"
	"github.com/hashicorp/go-cty-funcs/uuid"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// builtin is one row of the function table. The table is the single source
// of the function names, of Functions and of docs/functions.md, so adding a
// function is adding a row.
type builtin struct {
	name string
	fn   function.Function
	// desc replaces fn.Description() in the docs, for our own functions
	// and where the upstream text is wrong.
	desc string
	// impure functions may return a different result on every call (clock,
	// randomness, environment): callers must not cache or fold them.
	impure bool
	// deprecated names the function to use instead; the behaviour is kept
	// because existing bake files still call it.
	deprecated string
}

// builtins lists every function of `docker buildx bake`, sorted by name. The
// names are buildx's, which differ from go-cty's in a few places
// (regex_replace, reverselist, sethaselement).
var builtins = []builtin{
	{name: "absolute", fn: stdlib.AbsoluteFunc},
	{name: "add", fn: stdlib.AddFunc},
	{name: "and", fn: stdlib.AndFunc},
	{name: "base64decode", fn: encoding.Base64DecodeFunc, desc: "Decodes a base64 string; the decoded bytes must be valid UTF-8."},
	{name: "base64encode", fn: encoding.Base64EncodeFunc, desc: "Encodes the UTF-8 bytes of the given string as base64."},
	{name: "basename", fn: basenameFunc},
	{name: "bcrypt", fn: crypto.BcryptFunc, impure: true, // random salt
		desc: "Hashes the given string with bcrypt at the given cost (10 by default, at most 15), with a new random salt on every call."},
	{name: "byteslen", fn: stdlib.BytesLenFunc},
	{name: "bytesslice", fn: stdlib.BytesSliceFunc},
	{name: "can", fn: tryfunc.CanFunc, desc: "Evaluates the given expression and returns true if it succeeds without errors, or false otherwise."},
	{name: "ceil", fn: stdlib.CeilFunc},
	{name: "chomp", fn: stdlib.ChompFunc},
	{name: "chunklist", fn: stdlib.ChunklistFunc},
	{name: "cidrhost", fn: cidr.HostFunc, desc: "Returns the IP address of the host with the given number within the given CIDR prefix."},
	{name: "cidrnetmask", fn: cidr.NetmaskFunc, desc: "Returns the subnet mask of the given IPv4 CIDR prefix in dotted-decimal notation."},
	{name: "cidrsubnet", fn: cidr.SubnetFunc, desc: "Returns the subnet with the given number within the given CIDR prefix, extended by the given number of prefix bits."},
	{name: "cidrsubnets", fn: cidr.SubnetsFunc, desc: "Returns consecutive subnets of the given CIDR prefix, one for each given number of additional prefix bits."},
	{name: "coalesce", fn: stdlib.CoalesceFunc},
	{name: "coalescelist", fn: stdlib.CoalesceListFunc},
	{name: "compact", fn: stdlib.CompactFunc},
	{name: "concat", fn: stdlib.ConcatFunc},
	{name: "contains", fn: stdlib.ContainsFunc},
	{name: "convert", fn: typeexpr.ConvertFunc, desc: "Converts the given value to the given type constraint, written as a type expression such as list(string)."},
	{name: "csvdecode", fn: stdlib.CSVDecodeFunc},
	{name: "dirname", fn: dirnameFunc},
	{name: "distinct", fn: stdlib.DistinctFunc},
	{name: "divide", fn: stdlib.DivideFunc},
	{name: "element", fn: stdlib.ElementFunc},
	{name: "equal", fn: stdlib.EqualFunc},
	{name: "flatten", fn: stdlib.FlattenFunc},
	{name: "floor", fn: stdlib.FloorFunc},
	{name: "format", fn: stdlib.FormatFunc, desc: "Constructs a string by applying formatting verbs to a series of arguments, using a syntax similar to the C function printf."},
	{name: "formatdate", fn: stdlib.FormatDateFunc, deprecated: "formattimestamp"},
	{name: "formatlist", fn: stdlib.FormatListFunc, desc: "Constructs a list of strings by applying formatting verbs to a series of arguments, using a syntax similar to the C function printf."},
	{name: "formattimestamp", fn: formatTimestampFunc},
	{name: "greaterthan", fn: stdlib.GreaterThanFunc, desc: "Returns true if and only if the first number is greater than the second."},
	{name: "greaterthanorequalto", fn: stdlib.GreaterThanOrEqualToFunc, desc: "Returns true if and only if the first number is greater than or equal to the second."},
	{name: "hasindex", fn: stdlib.HasIndexFunc, desc: "Returns true if the given collection can be indexed with the given key without producing an error, or false otherwise."},
	{name: "homedir", fn: homedirFunc, impure: true}, // depends on the environment
	{name: "indent", fn: stdlib.IndentFunc},
	{name: "index", fn: stdlib.IndexFunc},
	{name: "indexof", fn: indexOfFunc},
	{name: "int", fn: stdlib.IntFunc},
	{name: "join", fn: stdlib.JoinFunc},
	{name: "jsondecode", fn: stdlib.JSONDecodeFunc},
	{name: "jsonencode", fn: stdlib.JSONEncodeFunc},
	{name: "keys", fn: stdlib.KeysFunc},
	{name: "length", fn: stdlib.LengthFunc},
	{name: "lessthan", fn: stdlib.LessThanFunc, desc: "Returns true if and only if the first number is less than the second."},
	{name: "lessthanorequalto", fn: stdlib.LessThanOrEqualToFunc, desc: "Returns true if and only if the first number is less than or equal to the second."},
	{name: "log", fn: stdlib.LogFunc},
	{name: "lookup", fn: stdlib.LookupFunc},
	{name: "lower", fn: stdlib.LowerFunc},
	{name: "max", fn: stdlib.MaxFunc},
	{name: "md5", fn: crypto.Md5Func, desc: "Returns the MD5 hash of the given string in hexadecimal."},
	{name: "merge", fn: stdlib.MergeFunc},
	{name: "min", fn: stdlib.MinFunc},
	{name: "modulo", fn: stdlib.ModuloFunc},
	{name: "multiply", fn: stdlib.MultiplyFunc},
	{name: "negate", fn: stdlib.NegateFunc},
	{name: "not", fn: stdlib.NotFunc},
	{name: "notequal", fn: stdlib.NotEqualFunc},
	{name: "or", fn: stdlib.OrFunc},
	{name: "parseint", fn: stdlib.ParseIntFunc},
	{name: "pow", fn: stdlib.PowFunc},
	{name: "range", fn: stdlib.RangeFunc},
	{name: "regex", fn: stdlib.RegexFunc},
	{name: "regex_replace", fn: stdlib.RegexReplaceFunc},
	{name: "regexall", fn: stdlib.RegexAllFunc},
	{name: "replace", fn: stdlib.ReplaceFunc},
	{name: "reverse", fn: stdlib.ReverseFunc},
	{name: "reverselist", fn: stdlib.ReverseListFunc},
	{name: "rsadecrypt", fn: crypto.RsaDecryptFunc, desc: "Decrypts the given base64 ciphertext with the given PEM-encoded PKCS #1 RSA private key (PKCS #1 v1.5 padding)."},
	{name: "sanitize", fn: sanitizeFunc},
	{name: "semvercmp", fn: semverCmpFunc},
	{name: "sethaselement", fn: stdlib.SetHasElementFunc},
	{name: "setintersection", fn: stdlib.SetIntersectionFunc},
	{name: "setproduct", fn: stdlib.SetProductFunc},
	{name: "setsubtract", fn: stdlib.SetSubtractFunc},
	{name: "setsymmetricdifference", fn: stdlib.SetSymmetricDifferenceFunc},
	{name: "setunion", fn: stdlib.SetUnionFunc},
	{name: "sha1", fn: crypto.Sha1Func, desc: "Returns the SHA-1 hash of the given string in hexadecimal."},
	{name: "sha256", fn: crypto.Sha256Func, desc: "Returns the SHA-256 hash of the given string in hexadecimal."},
	{name: "sha512", fn: crypto.Sha512Func, desc: "Returns the SHA-512 hash of the given string in hexadecimal."},
	{name: "signum", fn: stdlib.SignumFunc},
	{name: "slice", fn: stdlib.SliceFunc},
	{name: "sort", fn: stdlib.SortFunc},
	{name: "split", fn: stdlib.SplitFunc},
	{name: "strlen", fn: stdlib.StrlenFunc},
	{name: "substr", fn: stdlib.SubstrFunc},
	{name: "subtract", fn: stdlib.SubtractFunc},
	{name: "timeadd", fn: stdlib.TimeAddFunc},
	{name: "timestamp", fn: timestampFunc, impure: true},
	{name: "title", fn: stdlib.TitleFunc},
	{name: "trim", fn: stdlib.TrimFunc},
	{name: "trimprefix", fn: stdlib.TrimPrefixFunc},
	{name: "trimspace", fn: stdlib.TrimSpaceFunc},
	{name: "trimsuffix", fn: stdlib.TrimSuffixFunc, desc: "Removes the given suffix from the end of the given string, if present."},
	{name: "try", fn: tryfunc.TryFunc, desc: "Evaluates the given expressions in order and returns the result of the first that succeeds without errors, or raises an error if none does."},
	{name: "unixtimestampparse", fn: unixTimestampParseFunc},
	{name: "upper", fn: stdlib.UpperFunc},
	{name: "urlencode", fn: encoding.URLEncodeFunc, desc: "Escapes the given string so that it can be placed in a URL query."},
	{name: "uuidv4", fn: uuid.V4Func, impure: true, desc: "Returns a new random (version 4) UUID."},
	{name: "uuidv5", fn: uuid.V5Func, desc: "Returns the name-based (version 5) UUID of the given name in the given namespace: dns, url, oid, x500 or a UUID."},
	{name: "values", fn: stdlib.ValuesFunc},
	{name: "zipmap", fn: stdlib.ZipmapFunc},
}

// Functions returns the built-in function table of the bake language, keyed
// by name. The map is new on every call, so callers may add user functions
// to it.
func Functions() map[string]function.Function {
	fns := make(map[string]function.Function, len(builtins))
	for _, b := range builtins {
		fns[b.name] = b.fn
	}
	return fns
}

// FunctionNames returns the built-in names, sorted.
func FunctionNames() []string {
	names := make([]string, len(builtins))
	for i, b := range builtins {
		names[i] = b.name
	}
	return names
}

// description is the one-line text shown for b in docs/functions.md.
func (b builtin) description() string {
	if b.desc != "" {
		return b.desc
	}
	return b.fn.Description()
}
