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

// classify marks every solve native, cross or emulated when the builder's
// platforms are known, and counts the emulated ones. With
// Request.Dockerfiles, each solve also gets the images its build pulls,
// and an emulated one the RUN steps that run under QEMU.
func (b *builder) classify(p *Plan) {
	if len(b.native) == 0 {
		return
	}
	byPlatform := map[string]Exec{}
	for _, nd := range p.Nodes {
		if nd.Kind != KindSolve || nd.Solve.Unchanged {
			continue // it does not run: nothing to classify or read
		}
		exec, ok := byPlatform[nd.Platform]
		if !ok {
			exec = ExecEmulated
			if b.isNative(nd.Solve.Platform) {
				exec = ExecNative
			}
			byPlatform[nd.Platform] = exec
		}
		db, read := b.readDockerfile(nd, b.buildPlatform)
		if exec == ExecEmulated && read {
			// Cross when no RUN step of the stages the solve needs runs
			// on a platform the builder does not run natively.
			if runs := emulatedRuns(db, b.native); len(runs) == 0 {
				exec = ExecCross
			} else {
				nd.Solve.EmulatedRuns = runs
			}
		}
		nd.Exec, nd.classified = exec, exec
		if exec == ExecEmulated {
			p.Emulated++
		}
	}
}

func (b *builder) isNative(p ocispec.Platform) bool { return matchAny(b.native, p) }

func matchAny(ms []platforms.Matcher, p ocispec.Platform) bool {
	for _, m := range ms {
		if m.Match(p) {
			return true
		}
	}
	return false
}

// runsNatively reports whether every RUN step of solve nd runs on a
// platform that native matches, on a BuildKit node whose own platform
// (BUILDPLATFORM) is build. The solve's targets share their build inputs,
// so the first one answers for all. Without Request.Dockerfiles, or when
// it cannot tell, the answer is no.
func (b *builder) runsNatively(nd *Node, native []platforms.Matcher, build ocispec.Platform) bool {
	if b.req.Dockerfiles == nil {
		return false
	}
	db, ok := b.req.Dockerfiles.Build(nd.Solve.Targets[0], nd.Solve.Platform, build)
	if !ok {
		return false
	}
	for _, r := range db.Runs {
		if !matchAny(native, r.Platform) {
			return false
		}
	}
	return true
}
