package inputs

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/docker/go-units"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// Request is the BuildKit-free form of one solve's build request.
type Request struct {
	// Attrs are the dockerfile.v0 frontend attributes.
	Attrs map[string]string
	// Locals maps a local mount name ("context", "dockerfile", "ctx-NAME"
	// for a named context) to an absolute directory.
	Locals map[string]string
	// OCILayouts maps a store ID to an OCI layout directory
	// (oci-layout:// named contexts).
	OCILayouts map[string]string
	// InlineDockerfile is dockerfile-inline's text, nil without it: the
	// build sends it as the frontend input "dockerfile", as buildx does,
	// and Attrs["filename"] is "Dockerfile".
	InlineDockerfile []byte
	// Entitlements are the target's, as written.
	Entitlements []string
}

// Mount names of the two local directories every local build has.
const (
	MountContext    = "context"
	MountDockerfile = "dockerfile"
)

// Of translates t, built for platform, as buildx's build/opt.go does for
// one platform; wd resolves relative paths. `target:` contexts are left
// out: they are another solve's result, attached by the executor.
func Of(t *bake.Target, platform ocispec.Platform, wd string) (*Request, error) {
	r := &Request{Attrs: map[string]string{}, Locals: map[string]string{}, OCILayouts: map[string]string{}}
	a := r.Attrs
	a["platform"] = platforms.Format(platform)

	ctxPath := "."
	if t.Context != nil && *t.Context != "" {
		ctxPath = *t.Context
	}
	if bake.IsRemoteURL(ctxPath) {
		a["context"] = ctxPath
	} else {
		r.Locals[MountContext] = AbsPath(wd, ctxPath)
	}
	if df, local := t.DockerfilePath(); local {
		df = AbsPath(wd, df)
		r.Locals[MountDockerfile] = filepath.Dir(df)
		a["filename"] = filepath.Base(df)
	} else if df != "" {
		a["filename"] = df // in the remote context
	}
	if t.DockerfileInline != nil {
		r.InlineDockerfile = []byte(*t.DockerfileInline)
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
	if err := resourceAttrs(a, t.Resources); err != nil {
		return nil, err
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
	if IsCall(t) {
		call := *t.Call
		if call == "check" {
			call = "lint"
		}
		a["requestid"] = "frontend." + call
		a["frontend.caps"] = "moby.buildkit.frontend.subrequests+forward"
	}
	r.Entitlements = slices.Clone(t.Entitlements)

	for _, name := range slices.Sorted(maps.Keys(t.Contexts)) {
		v := t.Contexts[name]
		switch {
		case strings.HasPrefix(v, "target:"):
			// A plan Link: attached per solve from the dependency's result.
		case strings.HasPrefix(v, "docker-image://"), bake.IsRemoteURL(v):
			a["context:"+name] = v
		case strings.HasPrefix(v, "oci-layout://"):
			path, ref := SplitOCILayout(strings.TrimPrefix(v, "oci-layout://"))
			id := "xbake-" + Sanitize(name)
			r.OCILayouts[id] = AbsPath(wd, path)
			a["context:"+name] = "oci-layout://" + id + ref
		default:
			local := "ctx-" + Sanitize(name)
			r.Locals[local] = AbsPath(wd, v)
			a["context:"+name] = "local:" + local
		}
	}
	return r, nil
}

// IsCall reports whether t asks the frontend for a subrequest (--call
// check/outline/targets) instead of a build.
func IsCall(t *bake.Target) bool {
	return t.Call != nil && *t.Call != "" && *t.Call != "build"
}

// SplitOCILayout splits "path:tag" or "path@sha256:..." into the path and
// the ":tag" / "@digest" suffix (default ":latest").
func SplitOCILayout(s string) (string, string) {
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
		return attestDisabled
	}
	var kv []string
	for _, k := range slices.Sorted(maps.Keys(at.Attrs)) {
		kv = append(kv, k+"="+at.Attrs[k])
	}
	return strings.Join(kv, ",")
}

// attestDisabled is the value of the attribute attest:TYPE of an
// attestation the target turns off (`type=sbom,disabled=true`, what
// --sbom=false writes). It stays in Attrs, where it keeps buildx's
// default provenance off (DefaultProvenance), but is never sent
// (DropDisabledAttests).
const attestDisabled = "disabled=true"

// DropDisabledAttests removes from a solve's attributes, as they are
// sent, the attestations the target turned off: BuildKit knows no
// "disabled" and would attest with it, where buildx leaves the
// attestation out of the request.
func DropDisabledAttests(attrs map[string]string) {
	for k, v := range attrs {
		if strings.HasPrefix(k, "attest:") && v == attestDisabled {
			delete(attrs, k)
		}
	}
}

// AbsPath is p resolved against wd, cleaned.
func AbsPath(wd, p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(wd, p)
}

// Sanitize keeps letters, digits, '-' and '_' of s and turns every other
// character into '_': a name that is safe as a mount name or a file name.
func Sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, s)
}

// resourceAttrs adds a target's per-step cgroup limits (`resources`) as
// the Dockerfile frontend reads them: memory sizes in bytes, the rest as
// written.
func resourceAttrs(a map[string]string, r *bake.Resources) error {
	if r == nil {
		return nil
	}
	memory, swap, err := r.MemoryBytes()
	if err != nil {
		return err
	}
	for key, v := range map[string]int64{"memory": memory, "memswap": swap} {
		if v != 0 {
			a[key] = strconv.FormatInt(v, 10)
		}
	}
	for key, v := range map[string]*int64{"cpushares": r.CPUShares, "cpuperiod": r.CPUPeriod, "cpuquota": r.CPUQuota} {
		if v != nil {
			a[key] = strconv.FormatInt(*v, 10)
		}
	}
	for key, v := range map[string]*string{"cpusetcpus": r.CPUSetCPUs, "cpusetmems": r.CPUSetMems} {
		if v != nil && *v != "" {
			a[key] = *v
		}
	}
	return nil
}
