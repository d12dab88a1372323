package hcl

import (
	"errors"
	"os"
	"path"
	"strings"

	"github.com/Masterminds/semver/v3"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// The functions below are the ones buildx adds to the go-cty and HCL
// libraries. Their error texts match buildx's where buildx has fixed ones,
// because they reach the user as "Call to function ... failed: <text>".

// basenameFunc is Go's path.Base: slash-separated on every OS, "." for "".
var basenameFunc = function.New(&function.Spec{
	Description: "Returns the last element of a slash-separated path.",
	Params:      []function.Parameter{{Name: "path", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(path.Base(args[0].AsString())), nil
	},
})

// dirnameFunc is Go's path.Dir.
var dirnameFunc = function.New(&function.Spec{
	Description: "Returns all but the last element of a slash-separated path.",
	Params:      []function.Parameter{{Name: "path", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(path.Dir(args[0].AsString())), nil
	},
})

var homedirFunc = function.New(&function.Spec{
	Description: "Returns the current user's home directory.",
	Params:      []function.Parameter{},
	Type:        function.StaticReturnType(cty.String),
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		home, err := os.UserHomeDir()
		if err != nil {
			return cty.NilVal, err
		}
		return cty.StringVal(home), nil
	},
})

// indexOfFunc finds a value in a list or tuple. Unlike most collection
// functions it fails, rather than returning -1, when nothing matches.
var indexOfFunc = function.New(&function.Spec{
	Description: "Returns the index of the first element of the given list or tuple that equals the given value, or raises an error if there is none.",
	Params: []function.Parameter{
		{Name: "list", Type: cty.DynamicPseudoType},
		{Name: "value", Type: cty.DynamicPseudoType},
	},
	Type: function.StaticReturnType(cty.Number),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		list, want := args[0], args[1]
		if ty := list.Type(); !ty.IsListType() && !ty.IsTupleType() {
			return cty.NilVal, errors.New("argument must be a list or tuple")
		}
		if list.LengthInt() == 0 {
			return cty.NilVal, errors.New("cannot search an empty list")
		}
		for it := list.ElementIterator(); it.Next(); {
			i, v := it.Element()
			// Equal, not RawEquals: 1 and 1.0 are the same number, and
			// values of different types never match.
			eq, err := stdlib.Equal(v, want)
			if err != nil {
				return cty.NilVal, err
			}
			if !eq.IsKnown() {
				return cty.UnknownVal(cty.Number), nil
			}
			if eq.True() {
				return i, nil
			}
		}
		return cty.NilVal, errors.New("item not found")
	},
})

// sanitizeFunc turns any string into a valid target name, which the matrix
// `name` attribute needs: [a-zA-Z0-9_-] only.
var sanitizeFunc = function.New(&function.Spec{
	Description: "Replaces every character that is not an ASCII letter, digit, underscore or hyphen with an underscore, leaving only characters that are valid in a target name.",
	Params:      []function.Parameter{{Name: "name", Type: cty.String}},
	Type:        function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		return cty.StringVal(strings.Map(func(r rune) rune {
			switch {
			case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z', '0' <= r && r <= '9', r == '_', r == '-':
				return r
			}
			return '_'
		}, args[0].AsString())), nil
	},
})

// semverCmpFunc reports whether a version satisfies a constraint, with
// Masterminds semver: versions may be partial ("3.20") or start with "v",
// and constraints use its syntax (">= 1.2, < 2", "~1.2", "^1", "1.x || 2.x").
var semverCmpFunc = function.New(&function.Spec{
	Description: "Returns true if the given semantic version satisfies the given constraint, or raises an error if either cannot be parsed.",
	Params: []function.Parameter{
		{Name: "version", Type: cty.String},
		{Name: "constraint", Type: cty.String},
	},
	Type: function.StaticReturnType(cty.Bool),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		version, constraint := args[0].AsString(), args[1].AsString()
		v, err := semver.NewVersion(version)
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(0, "invalid version %q: %s", version, err)
		}
		c, err := semver.NewConstraint(constraint)
		if err != nil {
			return cty.NilVal, function.NewArgErrorf(1, "invalid constraint %q: %s", constraint, err)
		}
		return cty.BoolVal(c.Check(v)), nil
	},
})
