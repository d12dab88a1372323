package plan

import (
	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// nativeMatcher returns the platforms a builder platform runs without QEMU.
//
// The rule is containerd's platforms.Only, so a builder runs its own
// platform and the older ones its CPU executes: amd64 runs 386,
// amd64/v3 runs amd64/v2 and amd64, arm/v7 runs arm/v6 and arm/v5, and
// arm64/v8.2 runs arm64/v8.1 and arm64. One step is stricter: an arm64
// builder does not count as native for 32-bit arm. Only runs arm/v8 to
// arm/v5 there, but many current arm64 CPUs (Apple M-series, AWS
// Graviton 3 and later, Ampere One) cannot execute AArch32 at all, and
// BuildKit then falls back to QEMU. A builder whose CPU does run it should
// list linux/arm/v7 among its platforms.
//
// Request.BuilderPlatforms must be the natively run platforms: BuildKit's
// worker list also includes every platform QEMU provides.
func nativeMatcher(p ocispec.Platform) platforms.Matcher {
	only := platforms.Only(p)
	if p.Architecture != "arm64" {
		return only
	}
	return matcherFunc(func(q ocispec.Platform) bool {
		return q.Architecture == "arm64" && only.Match(q)
	})
}

type matcherFunc func(ocispec.Platform) bool

func (f matcherFunc) Match(p ocispec.Platform) bool { return f(p) }

// classify marks every solve native, cross or emulated for the builder
// as a whole, when the request gives its platforms
// (Request.BuilderPlatforms) but not its nodes: by the rule of one node
// (parsedNode.exec) that runs every builder platform natively, with the
// first as BUILDPLATFORM, and lists no emulated platform. Each solve also
// gets what its Dockerfile does there (parsedNode.describe).
func (b *builder) classify(p *Plan) {
	if b.whole == nil {
		return
	}
	for _, n := range p.Nodes {
		if n.Kind != KindSolve || n.Solve.Unchanged {
			continue // it does not run: nothing to classify or read
		}
		// Asked once: for the images of a native solve too.
		db := b.dockerfileBuild(n, b.whole)
		n.Exec, _ = b.whole.exec(n, func(*Node, *parsedNode) bool { return b.whole.crosses(db) })
		n.classified = n.Exec
		b.whole.describe(n, db)
	}
	p.countEmulated()
}

func matchAny(ms []platforms.Matcher, p ocispec.Platform) bool {
	for _, m := range ms {
		if m.Match(p) {
			return true
		}
	}
	return false
}

// countEmulated sets Plan.Emulated from the solves' Exec.
func (p *Plan) countEmulated() {
	p.Emulated = 0
	for _, n := range p.Nodes {
		if n.Exec == ExecEmulated {
			p.Emulated++
		}
	}
}
