package executor

import (
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Placement is the plan's (plan.Plan.Candidates, a home per solve); the
// Scheduler carries it out. What is left here is how a connected node
// runs a platform, for CheckDown.

// rank is 0 for a native platform, 1 for an emulated one, 2 otherwise.
func (b *Builder) rank(p ocispec.Platform) int {
	if matchAny(b.Native, p) {
		return 0
	}
	if matchAny(b.Supported, p) {
		return 1
	}
	return 2
}

func matchAny(ps []ocispec.Platform, p ocispec.Platform) bool {
	// OnlyStrict: linux/amd64 must not count as running linux/386.
	m := platforms.OnlyStrict(p)
	for _, q := range ps {
		if m.Match(q) {
			return true
		}
	}
	return false
}
