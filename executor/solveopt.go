package executor

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/docker/go-units"
	"github.com/moby/buildkit/client/llb"

	"github.com/xbake/xbake/bake"
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

// frontendAttrs translates the first target of a solve, as buildx's
// build/opt.go does for one platform. wd resolves relative paths.
func frontendAttrs(n *plan.Node, wd string) (*solveInputs, error) {
	t := n.Solve.Targets[0]
	in := &solveInputs{attrs: map[string]string{}, locals: map[string]string{}, inputs: map[string]llb.State{}, ociLayouts: map[string]string{}}
	a := in.attrs
	a["platform"] = platforms.Format(n.Solve.Platform)

	ctxPath := "."
	if t.Context != nil && *t.Context != "" {
		ctxPath = *t.Context
	}
	if bake.IsRemoteURL(ctxPath) {
		a["context"] = ctxPath
	} else {
		in.locals["context"] = absPath(wd, ctxPath)
	}
	if df, local := t.DockerfilePath(); local {
		df = absPath(wd, df)
		in.locals["dockerfile"] = filepath.Dir(df)
		a["filename"] = filepath.Base(df)
	} else if df != "" {
		a["filename"] = df // in the remote context
	}
	if t.DockerfileInline != nil {
		// As buildx: the inline Dockerfile is a frontend input, not a
		// temporary file on disk.
		in.inputs["dockerfile"] = llb.Scratch().File(llb.Mkfile("Dockerfile", 0o644, []byte(*t.DockerfileInline)), llb.WithCustomName("[internal] inline Dockerfile"))
		a["filename"] = "Dockerfile"
	}
	if t.Target != nil && *t.Target != "" {
		a["target"] = *t.Target
	}
	for _, k := range slices.Sorted(maps.Keys(t.Args)) {
		if v := t.Args[k]; v != nil {
			a["build-arg:"+k] = *v
		}
	}
	for _, k := range slices.Sorted(maps.Keys(t.Labels)) {
		if v := t.Labels[k]; v != nil {
			a["label:"+k] = *v
		}
	}
	if t.NoCache != nil && *t.NoCache {
		a["no-cache"] = ""
	} else if len(t.NoCacheFilter) > 0 {
		a["no-cache"] = strings.Join(t.NoCacheFilter, ",")
	}
	if t.Pull != nil && *t.Pull {
		a["image-resolve-mode"] = "pull"
	}
	if t.Network != nil && *t.Network != "" && *t.Network != "default" {
		a["force-network-mode"] = *t.Network
	}
	if t.ShmSize != nil && *t.ShmSize != "" {
		// As buildx and docker: binary units, "128m", "1g", "1gib".
		b, err := units.RAMInBytes(*t.ShmSize)
		if err != nil {
			return nil, fmt.Errorf("shm-size: %w", err)
		}
		a["shm-size"] = strconv.FormatInt(b, 10)
	}
	if len(t.Ulimits) > 0 {
		a["ulimit"] = strings.Join(t.Ulimits, ",")
	}
	if len(t.ExtraHosts) > 0 {
		var hosts []string
		for _, h := range slices.Sorted(maps.Keys(t.ExtraHosts)) {
			if v := t.ExtraHosts[h]; v != nil {
				hosts = append(hosts, h+"="+*v)
			}
		}
		a["add-hosts"] = strings.Join(hosts, ",")
	}
	for _, at := range t.Attest {
		a["attest:"+at.Type] = attestValue(at)
	}
	if isCall(t) {
		call := *t.Call
		if call == "check" {
			call = "lint"
		}
		a["requestid"] = "frontend." + call
		a["frontend.caps"] = "moby.buildkit.frontend.subrequests+forward"
	}
	in.entitlements = slices.Clone(t.Entitlements)

	for _, name := range slices.Sorted(maps.Keys(t.Contexts)) {
		v := t.Contexts[name]
		switch {
		case strings.HasPrefix(v, "target:"):
			// A plan Link: attached per solve from the dependency's result.
		case strings.HasPrefix(v, "docker-image://"), bake.IsRemoteURL(v):
			a["context:"+name] = v
		case strings.HasPrefix(v, "oci-layout://"):
			path, ref := splitOCILayout(strings.TrimPrefix(v, "oci-layout://"))
			id := "xbake-" + sanitize(name)
			in.ociLayouts[id] = absPath(wd, path)
			a["context:"+name] = "oci-layout://" + id + ref
		default:
			local := "ctx-" + sanitize(name)
			in.locals[local] = absPath(wd, v)
			a["context:"+name] = "local:" + local
		}
	}
	return in, nil
}

// splitOCILayout splits "path:tag" or "path@sha256:..." into the path and
// the ":tag" / "@digest" suffix (default ":latest").
func splitOCILayout(s string) (string, string) {
	if i := strings.LastIndex(s, "@"); i > 0 {
		return s[:i], s[i:]
	}
	if i := strings.LastIndex(s, ":"); i > 0 && !strings.Contains(s[i:], "/") {
		return s[:i], s[i:]
	}
	return s, ":latest"
}

func attestValue(at *bake.Attest) string {
	if at.Disabled {
		return "disabled=true"
	}
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(at.Attrs)) {
		kv = append(kv, k+"="+at.Attrs[k])
	}
	return strings.Join(kv, ",")
}

func absPath(wd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(wd, p)
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}
