//go:build !xbakefront

package main

import (
	"bytes"
	"slices"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	"google.golang.org/protobuf/proto"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
)

// warningsKey is buildx's top-level metadata key for the build warnings,
// written when BUILDX_METADATA_WARNINGS is true.
const warningsKey = "buildx.build.warnings"

// warnings collects the solves' build warnings (Dockerfile checks) for the
// metadata file, once each: the per-platform solves of a target report the
// same warnings, as buildx's targets that share a Dockerfile do, and
// buildx keeps one of equal warnings (its dedupWarnings).
type warnings struct {
	mu   sync.Mutex
	list []client.VertexWarning
}

// wrap returns next, also collecting the warnings of progress events.
func (w *warnings) wrap(next func(executor.Event)) func(executor.Event) {
	return func(ev executor.Event) {
		if ev.Kind == executor.EventProgress && ev.Status != nil && len(ev.Status.Warnings) > 0 {
			w.mu.Lock()
			for _, vw := range ev.Status.Warnings {
				if !slices.ContainsFunc(w.list, func(prev client.VertexWarning) bool { return equalWarnings(prev, *vw) }) {
					w.list = append(w.list, *vw)
				}
			}
			w.mu.Unlock()
		}
		next(ev)
	}
}

func (w *warnings) all() []client.VertexWarning {
	w.mu.Lock()
	defer w.mu.Unlock()
	return slices.Clone(w.list)
}

// calls reports whether the run evaluates targets (--call, --check)
// instead of building them: buildx writes no warnings then.
func calls(def *bake.Definition) bool {
	return slices.ContainsFunc(def.Targets, func(t *bake.Target) bool {
		return t.Call != nil && *t.Call != "" && *t.Call != "build"
	})
}

// equalWarnings ignores the vertex and the source's definition, which
// differ between otherwise identical warnings of separate builds (as
// buildx's equalWarnings).
func equalWarnings(a, b client.VertexWarning) bool {
	if a.Level != b.Level || a.URL != b.URL || !bytes.Equal(a.Short, b.Short) ||
		!slices.EqualFunc(a.Detail, b.Detail, bytes.Equal) {
		return false
	}
	if (a.SourceInfo == nil) != (b.SourceInfo == nil) {
		return false
	}
	if a.SourceInfo != nil && (a.SourceInfo.Filename != b.SourceInfo.Filename ||
		a.SourceInfo.Language != b.SourceInfo.Language || !bytes.Equal(a.SourceInfo.Data, b.SourceInfo.Data)) {
		return false
	}
	return slices.EqualFunc(a.Range, b.Range, func(a, b *pb.Range) bool { return proto.Equal(a, b) })
}
