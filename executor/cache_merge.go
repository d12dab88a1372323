package executor

import (
	"context"
	"fmt"
	"strconv"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/plan"
)

// CacheMerger joins registry caches that per-platform solves exported
// into one; *oci.Client is the real one (see oci.Client.MergeCache).
type CacheMerger interface {
	MergeCache(ctx context.Context, ref string, parts []string) (ocispec.Descriptor, error)
}

// mergeCaches writes, for each registry cache-to of n's target, the union
// of its platforms' caches to the ref the user named (see cache.go), so
// that buildx and the next run read one cache for every platform. A
// failure fails the node unless the entry says ignore-error=true, as a
// failed cache export fails a buildx build.
func (m *Merger) mergeCaches(ctx context.Context, n *plan.Node) error {
	for _, c := range n.Merge.Target.CacheTo {
		if !plan.MergedCache(c) {
			continue
		}
		ref := c.Attrs["ref"]
		err := m.mergeCache(ctx, n, ref)
		if ignore, _ := strconv.ParseBool(c.Attrs["ignore-error"]); err != nil && !ignore {
			return fmt.Errorf("cache-to type=registry,ref=%s: %w", ref, err)
		}
	}
	return nil
}

func (m *Merger) mergeCache(ctx context.Context, n *plan.Node, ref string) error {
	cm, ok := m.Registry.(CacheMerger)
	if !ok {
		return fmt.Errorf("the registry client cannot merge caches")
	}
	parts := make([]string, len(n.Merge.Platforms))
	for k := range n.Merge.Platforms {
		parts[k] = suffixRef(ref, platformSuffix(platformOf(n, k)))
	}
	_, err := cm.MergeCache(ctx, ref, parts)
	return explainInsecure(err)
}
