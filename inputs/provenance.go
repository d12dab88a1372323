package inputs

import (
	"fmt"
	"strconv"
)

// DefaultProvenance says whether a build of r that exports something
// (not a dependency, not a call) gets buildx's default provenance
// (`attest:provenance=mode=min,inline-only=true`, added by the executor
// for each attempt whose node can attest): not when the target asks for
// provenance itself, even to disable it, and not when
// BUILDX_NO_DEFAULT_ATTESTATIONS is true. The executor adds it and the
// input digests count it by this one rule. A value of the variable that
// does not parse is an error, as buildx reports it.
func DefaultProvenance(r *Request, getenv func(string) string) (bool, error) {
	if _, set := r.Attrs["attest:provenance"]; set {
		return false, nil
	}
	v := getenv("BUILDX_NO_DEFAULT_ATTESTATIONS")
	if v == "" {
		return true, nil
	}
	off, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("invalid BUILDX_NO_DEFAULT_ATTESTATIONS=%q: want true or false", v)
	}
	return !off, nil
}
