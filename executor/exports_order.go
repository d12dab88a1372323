package executor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/xbake/xbake/plan"
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
// First, a single-platform target with a merge node (--atomic, see
// plan.Request.Atomic) pushes its image by digest too: its merge node
// writes the tags.
func orderExports(n *plan.Node, exps []*export) ([]*export, error) {
	for _, e := range exps {
		push, _ := strconv.ParseBool(e.entry.Attrs["push"])
		if e.entry.Type != "image" || !push || e.byDigest || roleOf(n, e.target) != plan.RoleMerge {
			continue
		}
		repos, err := repositories(e.entry.Attrs["name"])
		if err != nil {
			return nil, fmt.Errorf("target %s: %w", e.target, err)
		}
		e.entry.Attrs["name"], e.entry.Attrs["push-by-digest"] = strings.Join(repos, ","), "true"
		e.byDigest = true
	}
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
	return exps, nil
}

// roleOf is what n does for the target named name.
func roleOf(n *plan.Node, name string) plan.Role {
	for i, t := range n.Solve.Targets {
		if t.Name == name && i < len(n.Solve.Roles) {
			return n.Solve.Roles[i]
		}
	}
	return n.Solve.Role
}
