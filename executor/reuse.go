package executor

import (
	"context"
	"errors"
	"fmt"

	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// StatusUnchanged is a node that did not run because its target's image,
// built from the same inputs, is published already: a solve the plan
// skipped (plan.Solve.Unchanged), or the merge node that pointed its
// tags at that image (plan.Merge.Reuse).
const StatusUnchanged Status = "unchanged"

// Succeeded reports whether a node ended with what it was for.
func (s Status) Succeeded() bool {
	return s == StatusDone || s == StatusCached || s == StatusUnchanged
}

// unchanged is the result of a solve the plan skipped: its platform's
// manifest in the image its target reuses.
func unchanged(n *plan.Node) (*Result, bool) {
	if n.Kind != plan.KindSolve || !n.Solve.Unchanged {
		return nil, false
	}
	res := &Result{Descriptor: n.Solve.Reused, ExporterResponse: map[string]map[string]string{}}
	for _, t := range n.Solve.Targets {
		res.ExporterResponse[t.Name] = map[string]string{}
		if d := n.Solve.Reused.Digest; d != "" {
			res.ExporterResponse[t.Name]["containerimage.digest"] = d.String()
		}
	}
	return res, true
}

// reused reports whether n is a merge node that reuses an image.
func reused(n *plan.Node) bool { return n.Kind == plan.KindMerge && n.Merge.Reuse != nil }

// reuse points every tag of every registry output of an unchanged target
// at the image published from the same inputs, exactly as it is (its
// digest does not change), with the record tag in each repository.
func (m *Merger) reuse(ctx context.Context, n *plan.Node) (*Result, error) {
	t, r := n.Merge.Target, n.Merge.Reuse
	res := &Result{ExporterResponse: map[string]map[string]string{t.Name: {}}}
	tg, ok := m.Registry.(tagger)
	if !ok {
		return nil, fmt.Errorf("the registry client cannot tag")
	}
	for _, o := range t.Outputs {
		if !plan.PushedImage(o) {
			continue
		}
		tags := plan.ImageNames(t, o)
		if len(tags) == 0 {
			return nil, partial(res, fmt.Errorf("output type=%s: tag is needed when pushing to registry", o.Type))
		}
		desc, err := tg.Tag(ctx, m.Records.withTags(t.Name, tags), r.Ref)
		var pe *oci.PartialPushError
		if errors.As(err, &pe) {
			published(res, t.Name, pe.Index, m.Records.withoutRecords(pe.Tags))
		}
		if err != nil {
			return nil, partial(res, fmt.Errorf("output type=%s: reusing %s: %w", o.Type, r.Ref, explainInsecure(err)))
		}
		published(res, t.Name, desc, tags)
	}
	return res, nil
}
