package executor

import (
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Placement is the plan's (plan.Plan.Candidates, a home per solve, and
// Plan.Runnable); the Scheduler carries it out. What is left here is
// which platforms a connected node's workers list (PlanNodes, Warnings).

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
