package executor

import (
	"github.com/moby/buildkit/client/llb"

	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// solveInputs is the BuildKit-facing form of one solve node's build
// inputs, before sessions and links are attached.
type solveInputs struct {
	attrs map[string]string // dockerfile.v0 frontend attributes
	// locals maps a local mount name ("context", "dockerfile", a named
	// context) to an absolute directory.
	locals map[string]string
	inputs map[string]llb.State // frontend inputs (inline Dockerfile)
	// ociLayouts maps a store ID to an OCI layout directory
	// (oci-layout:// named contexts).
	ociLayouts   map[string]string
	entitlements []string
}

// frontendAttrs translates the first target of a solve with package
// inputs, which the input digests share, so that a digest covers exactly
// what the build sends. wd resolves relative paths.
func frontendAttrs(n *plan.Node, wd string) (*solveInputs, error) {
	r, err := inputs.Of(n.Solve.Targets[0], n.Solve.Platform, wd)
	if err != nil {
		return nil, err
	}
	in := &solveInputs{attrs: r.Attrs, locals: r.Locals, inputs: map[string]llb.State{}, ociLayouts: r.OCILayouts, entitlements: r.Entitlements}
	if r.InlineDockerfile != nil {
		// As buildx: the inline Dockerfile is a frontend input, not a
		// temporary file on disk.
		in.inputs["dockerfile"] = llb.Scratch().File(llb.Mkfile("Dockerfile", 0o644, r.InlineDockerfile), llb.WithCustomName("[internal] inline Dockerfile"))
	}
	return in, nil
}

func absPath(wd, p string) string { return inputs.AbsPath(wd, p) }

func sanitize(s string) string { return inputs.Sanitize(s) }
