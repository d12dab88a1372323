package executor

import (
	"slices"
	"strings"
)

// orderExports arranges a solve's exporters for BuildKit, which answers
// several exporters with one response whose keys the last exporter wins.
// The per-platform image a merge node needs (pushed by digest) must be
// the one the response describes, and with attestations two image
// exporters of the same build push different indexes: the provenance
// names the image, so each exporter's attestation manifest differs. So
// the pushes by digest come last, and when a solve serves several
// targets that push by digest (one build, several repositories) a single
// exporter pushes to all their repositories; the other exports share it
// (shared is set) and are not sent.
//
// A single-platform target with a merge node (--atomic, see
// plan.Request.Atomic) has RoleMerge, so exportFor pushes its image by
// digest like a platform of a multi-platform target: its merge node
// writes the tags.
func orderExports(exps []*export) []*export {
	slices.SortStableFunc(exps, func(a, b *export) int {
		switch {
		case a.byDigest == b.byDigest:
			return 0
		case b.byDigest:
			return -1
		}
		return 1
	})
	var first *export
	for _, e := range exps {
		if !e.byDigest {
			continue
		}
		if first == nil {
			first = e
			continue
		}
		names := strings.Split(first.entry.Attrs["name"], ",")
		for _, n := range strings.Split(e.entry.Attrs["name"], ",") {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
		first.entry.Attrs["name"] = strings.Join(names, ",")
		e.shared = true
	}
	return exps
}
