package hcl

import (
	"math/big"
	"strconv"
	"time"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// Timestamps in the bake language are RFC 3339 strings, as in go-cty's
// formatdate and timeadd; SOURCE_DATE_EPOCH-style unix seconds come in
// through formattimestamp and unixtimestampparse.

var timestampFunc = function.New(&function.Spec{
	Description: "Returns the current date and time in UTC, as an RFC 3339 timestamp string.",
	Params:      []function.Parameter{},
	Type:        function.StaticReturnType(cty.String),
	Impl: func([]cty.Value, cty.Type) (cty.Value, error) {
		return cty.StringVal(time.Now().UTC().Format(time.RFC3339)), nil
	},
})

// unixFormat is the formattimestamp format that yields unix seconds, which
// formatdate's format language cannot express.
const unixFormat = "X"

var formatTimestampFunc = function.New(&function.Spec{
	Description: `Formats a timestamp, given as an RFC 3339 string or as unix seconds, with the format language of formatdate; the format "X" gives the unix seconds.`,
	Params: []function.Parameter{
		{Name: "format", Type: cty.String},
		// Dynamic so that a number keeps meaning unix seconds instead of
		// being converted to a string.
		{Name: "timestamp", Type: cty.DynamicPseudoType},
	},
	Type: function.StaticReturnType(cty.String),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		format, ts := args[0].AsString(), args[1]
		var rfc3339 string
		switch ts.Type() {
		case cty.Number:
			secs, err := unixSeconds(ts, 1)
			if err != nil {
				return cty.NilVal, err
			}
			rfc3339 = time.Unix(secs, 0).UTC().Format(time.RFC3339)
		case cty.String:
			rfc3339 = ts.AsString()
			// An untyped variable set from the environment (SOURCE_DATE_EPOCH)
			// is a string; digits alone are never RFC 3339.
			if secs, err := strconv.ParseInt(rfc3339, 10, 64); err == nil {
				rfc3339 = time.Unix(secs, 0).UTC().Format(time.RFC3339)
			}
		default:
			return cty.NilVal, function.NewArgErrorf(1, "must be an RFC 3339 timestamp string or a number of unix seconds, not %s", ts.Type().FriendlyName())
		}
		if format == unixFormat {
			t, err := time.Parse(time.RFC3339, rfc3339)
			if err != nil {
				return cty.NilVal, function.NewArgErrorf(1, "not a valid RFC 3339 timestamp: %s", err)
			}
			return cty.StringVal(strconv.FormatInt(t.Unix(), 10)), nil
		}
		return stdlib.FormatDate(cty.StringVal(format), cty.StringVal(rfc3339))
	},
})

// unixTimestampParseType is the object unixtimestampparse returns; the
// attribute names follow Terraform's time provider function of the same
// purpose.
var unixTimestampParseType = cty.Object(map[string]cty.Type{
	"year":         cty.Number,
	"year_day":     cty.Number,
	"day":          cty.Number,
	"month":        cty.Number,
	"month_name":   cty.String,
	"weekday":      cty.Number,
	"weekday_name": cty.String,
	"hour":         cty.Number,
	"minute":       cty.Number,
	"second":       cty.Number,
	"rfc3339":      cty.String,
	"iso_year":     cty.Number,
	"iso_week":     cty.Number,
})

var unixTimestampParseFunc = function.New(&function.Spec{
	Description: "Given a unix timestamp (the number of seconds elapsed since January 1, 1970 UTC), returns an object with the parts of that date and time in UTC: year, year_day, day, month, month_name, weekday (0 is Sunday), weekday_name, hour, minute, second, rfc3339, iso_year and iso_week.",
	Params:      []function.Parameter{{Name: "unix_timestamp", Type: cty.Number}},
	Type:        function.StaticReturnType(unixTimestampParseType),
	Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
		secs, err := unixSeconds(args[0], 0)
		if err != nil {
			return cty.NilVal, err
		}
		t := time.Unix(secs, 0).UTC()
		isoYear, isoWeek := t.ISOWeek()
		return cty.ObjectVal(map[string]cty.Value{
			"year":         cty.NumberIntVal(int64(t.Year())),
			"year_day":     cty.NumberIntVal(int64(t.YearDay())),
			"day":          cty.NumberIntVal(int64(t.Day())),
			"month":        cty.NumberIntVal(int64(t.Month())),
			"month_name":   cty.StringVal(t.Month().String()),
			"weekday":      cty.NumberIntVal(int64(t.Weekday())),
			"weekday_name": cty.StringVal(t.Weekday().String()),
			"hour":         cty.NumberIntVal(int64(t.Hour())),
			"minute":       cty.NumberIntVal(int64(t.Minute())),
			"second":       cty.NumberIntVal(int64(t.Second())),
			"rfc3339":      cty.StringVal(t.Format(time.RFC3339)),
			"iso_year":     cty.NumberIntVal(int64(isoYear)),
			"iso_week":     cty.NumberIntVal(int64(isoWeek)),
		}), nil
	},
})

// unixSeconds reads a whole number of seconds from the number argument at
// index arg, refusing fractions rather than silently truncating them.
func unixSeconds(v cty.Value, arg int) (int64, error) {
	f := v.AsBigFloat()
	if !f.IsInt() {
		return 0, function.NewArgErrorf(arg, "a unix timestamp must be a whole number of seconds")
	}
	secs, acc := f.Int64()
	if acc != big.Exact {
		return 0, function.NewArgErrorf(arg, "unix timestamp %s is out of range", f.Text('f', -1))
	}
	return secs, nil
}
