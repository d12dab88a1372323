package executor

import (
	"maps"
	"slices"
	"strings"

	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/plan"
)

// Records are what a run's registry pushes record of their inputs, so
// that a later run can find the image built from the same inputs
// (--skip-unchanged; package digests computes them and docs/compat.md
// says what they are): annotations on every image manifest a solve
// pushes, and a tag, in each repository a target pushes to, on what its
// tags get. A nil *Records records nothing.
type Records struct {
	// Annotations are by solve node ID: the manifest annotations of the
	// images it pushes.
	Annotations map[string]map[string]string
	// Tags are by target name: the record tag ("xbake-inputs-<hex>").
	Tags map[string]string
	// Results are by solve node ID, for solves that only feed others
	// (plan.RoleDependency): where to push the solve's result, a record
	// tag ("repo:xbake-result-<hex>") that a later run reads instead of
	// building it again (plan.Request.Results).
	Results map[string]string
}

// annotate adds n's annotations to its pushed images and the record tags
// to the names a solve pushes to itself (a merge node writes its own),
// and a push of the result of a solve that only feeds others.
func (r *Records) annotate(n *plan.Node, exps []*export) []*export {
	if r == nil {
		return exps
	}
	if ref := r.Results[n.ID]; ref != "" && n.Solve.Role == plan.RoleDependency && len(exps) == 0 {
		exps = append(exps, &export{target: n.Solve.Targets[0].Name, entry: client.ExportEntry{Type: "image", Attrs: map[string]string{"name": ref, "push": "true"}}})
	}
	ann := r.Annotations[n.ID]
	for _, e := range exps {
		if e.entry.Type != "image" || e.entry.Attrs["push"] != "true" {
			continue
		}
		// BuildKit refuses annotations on Docker media types.
		if len(ann) > 0 && e.entry.Attrs["oci-mediatypes"] != "false" {
			for _, k := range slices.Sorted(maps.Keys(ann)) {
				e.entry.Attrs["annotation."+k] = ann[k]
			}
		}
		if !e.byDigest && !e.shared {
			e.entry.Attrs["name"] = strings.Join(r.withTags(e.target, strings.Split(e.entry.Attrs["name"], ",")), ",")
		}
	}
	return exps
}

// withTags is tags and, after them, target's record tag in each of their
// repositories: the record moves only once every tag of the user has.
func (r *Records) withTags(target string, tags []string) []string {
	if r == nil || r.Tags[target] == "" {
		return tags
	}
	out := slices.Clone(tags)
	seen := map[string]bool{}
	for _, t := range tags {
		named, err := reference.ParseNormalizedNamed(strings.TrimSpace(t))
		if err != nil || seen[named.Name()] {
			continue
		}
		seen[named.Name()] = true
		out = append(out, named.Name()+":"+r.Tags[target])
	}
	return out
}

// isRecord reports whether ref is a record tag: runs record it, reports
// do not list it as published.
func (r *Records) isRecord(ref string) bool {
	if r == nil {
		return false
	}
	_, tag, ok := strings.Cut(ref[strings.LastIndex(ref, "/")+1:], ":")
	if !ok {
		return false
	}
	for _, res := range r.Results {
		if strings.HasSuffix(res, ":"+tag) {
			return true
		}
	}
	return slices.Contains(slices.Collect(maps.Values(r.Tags)), tag)
}

// withoutRecords is refs without the record tags.
func (r *Records) withoutRecords(refs []string) []string {
	if r == nil {
		return refs
	}
	return slices.DeleteFunc(slices.Clone(refs), r.isRecord)
}
