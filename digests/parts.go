package digests

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/dockerfile"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// A solve's digest combines named parts, each the digest of one input,
// so that a later run can say which input changed:
//
//   - platform, target, args, labels, network, shm-size, ulimits,
//     extra-hosts, entitlements, call: the frontend attributes package
//     inputs gives the build, grouped by bake attribute;
//   - dockerfile: the Dockerfile's content (not its path);
//   - context and contexts.NAME: a local directory as BuildKit receives
//     it (tree.go), a docker-image:// context's resolved digest, an
//     oci-layout:// context's manifest digest, or a `target:` context's
//     result digest;
//   - image:REF and syntax:REF: the digest the registry gives for each
//     image the needed stages read, and for the `# syntax=` frontend;
//   - secret and ssh: their ids, never their values;
//   - attest, annotations, provenance (the executor's default
//     provenance), git-labels (BUILDX_GIT_LABELS): what only the export
//     adds, so left out of Result.
//
// What only says how to build, not what, is left out: no-cache, pull
// (every image is resolved anyway), resources (cgroup limits), cache
// imports and exports. So is the
// builder's own platform: an image is taken to be the same whichever
// builder built it, as when BuildKit shares a cache between builders. So
// are the VCS attributes the executor adds (BUILDX_GIT_INFO: vcs:revision,
// vcs:source, vcs:localdir:*), which only the provenance records: a new
// commit that changes none of a target's inputs leaves it unchanged (its
// reused image's provenance names the commit that built it). The git
// labels (BUILDX_GIT_LABELS) change the image config, and are a part.

// exportParts are the parts that only the exported image carries; a
// dependent reads the result without them.
var exportParts = []string{"attest", "annotations", "provenance", "git-labels"}

// partName is the part a frontend attribute belongs to; skip is true for
// attributes that are not inputs or that have a part of their own.
func partName(attr string) (name string, skip bool) {
	switch attr {
	case "filename", "context", "no-cache", "image-resolve-mode":
		return "", true
	case "memory", "memswap", "cpushares", "cpuperiod", "cpuquota", "cpusetcpus", "cpusetmems":
		return "", true // resources: limits a step runs under, outside BuildKit's cache key too
	case "force-network-mode":
		return "network", false
	case "ulimit":
		return "ulimits", false
	case "add-hosts":
		return "extra-hosts", false
	case "requestid", "frontend.caps":
		return "call", false
	}
	prefix, _, ok := strings.Cut(attr, ":")
	switch {
	case !ok:
		return attr, false
	case prefix == "context":
		return "", true
	case prefix == "build-arg":
		return "args", false
	case prefix == "label":
		return "labels", false
	}
	return prefix, false
}

// solve computes the parts of n that do not come from other solves.
func (h *Hasher) solve(ctx context.Context, n *plan.Node) *Solve {
	t := n.Solve.Targets[0]
	s := &Solve{Parts: map[string]string{}}
	r, err := inputs.Of(t, n.Solve.Platform, h.opt.WorkDir)
	if err != nil {
		s.Unknown = bake.RedactURL(err.Error())
		return s
	}
	groups := map[string]map[string]string{}
	for k, v := range r.Attrs {
		name, skip := partName(k)
		if skip {
			continue
		}
		if groups[name] == nil {
			groups[name] = map[string]string{}
		}
		groups[name][k] = v
	}
	for name, kv := range groups {
		enc := newEncoder("xbake-attrs-v1")
		enc.smap(kv)
		s.Parts[name] = enc.digest()
	}
	s.Parts["secret"] = listDigest(ids(t.Secrets, func(s *bake.Secret) string { return s.ID }))
	s.Parts["ssh"] = listDigest(ids(t.SSH, func(s *bake.SSH) string { return s.ID }))
	s.Parts["entitlements"] = listDigest(slices.Sorted(slices.Values(r.Entitlements)))
	s.Parts["annotations"] = listDigest(t.Annotations)
	if h.defaultProvenance(n, r) {
		s.Parts["provenance"] = digestOf("provenance", "default")
	}
	if exported(n) && h.opt.GitLabels != nil {
		if l := h.opt.GitLabels(ctx, r); len(l) > 0 {
			enc := newEncoder("xbake-attrs-v1")
			enc.smap(l)
			s.Parts["git-labels"] = enc.digest()
		}
	}
	if why := h.sources(ctx, n, r, s.Parts); why != "" {
		// --plan and the debug log show it: a URL's credentials stay out.
		s.Unknown = bake.RedactURL(why)
	}
	return s
}

// sources adds the parts read from files and registries: the Dockerfile,
// the local directories, named contexts and images. It returns why they
// cannot be known, or "".
func (h *Hasher) sources(ctx context.Context, n *plan.Node, r *inputs.Request, parts map[string]string) string {
	if url := r.Attrs["context"]; url != "" {
		return "the context is a remote URL (" + url + "): its content is known only to the build"
	}
	data := r.InlineDockerfile
	if data == nil {
		files := r.Dockerfiles()
		if len(files) == 0 {
			return "the Dockerfile is in a remote context"
		}
		var err error
		if data, err = h.readFirst(files); err != nil {
			return "reading the Dockerfile: " + err.Error()
		}
	}
	parts["dockerfile"] = digestOf("file", string(data))
	locals, err := r.Sources(h.opt.ReadFile)
	if err != nil {
		return err.Error()
	}
	f, err := h.parse(data)
	if err != nil {
		return "the Dockerfile: " + err.Error()
	}
	// The builder's platform is not an input (see above): the stages
	// are those of a build on the target platform.
	t := n.Solve.Targets[0]
	stages, err := f.Stages(dockerfile.BuildOf(t, n.Solve.Platform, n.Solve.Platform))
	if err != nil {
		return "the Dockerfile: " + err.Error()
	}
	if fetched := f.Fetched(stages); len(fetched) > 0 {
		return fmt.Sprintf("ADD %s is fetched by the build: give it --checksum", fetched[0])
	}

	// Everything left is a lookup; they run at once.
	type job struct {
		part string
		run  func() (string, error)
	}
	var jobs []job
	for _, l := range locals {
		part := "context"
		if l.Mount != inputs.MountContext {
			part = "contexts." + contextName(r, l.Mount)
		}
		jobs = append(jobs, job{part, func() (string, error) { return h.tree(ctx, l.Dir, l.Excludes) }})
	}
	for _, k := range slices.Sorted(maps.Keys(r.Attrs)) {
		name, ok := strings.CutPrefix(k, "context:")
		v := r.Attrs[k]
		switch {
		case !ok, strings.HasPrefix(v, "local:"):
		case strings.HasPrefix(v, "docker-image://"):
			ref := strings.TrimPrefix(v, "docker-image://")
			jobs = append(jobs, job{"contexts." + name, func() (string, error) { return h.image(ctx, ref) }})
		case strings.HasPrefix(v, "oci-layout://"):
			id, ref := inputs.SplitOCILayout(strings.TrimPrefix(v, "oci-layout://"))
			dir := r.OCILayouts[id]
			jobs = append(jobs, job{"contexts." + name, func() (string, error) { return h.layout(dir, ref) }})
		default:
			return "contexts." + name + " is a remote URL (" + v + "): its content is known only to the build"
		}
	}
	syntax := r.Attrs["build-arg:BUILDKIT_SYNTAX"]
	if syntax == "" {
		syntax = dockerfile.SyntaxImage(data)
	}
	if syntax != "" {
		jobs = append(jobs, job{"syntax:" + syntax, func() (string, error) { return h.image(ctx, syntax) }})
	}
	for _, ref := range pulled(t, stages) {
		jobs = append(jobs, job{"image:" + ref, func() (string, error) { return h.image(ctx, ref) }})
	}
	got := make([]string, len(jobs))
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	for i, j := range jobs {
		wg.Go(func() { got[i], errs[i] = j.run() })
	}
	wg.Wait()
	for i, j := range jobs {
		if errs[i] != nil {
			return j.part + ": " + errs[i].Error()
		}
		parts[j.part] = got[i]
	}
	return ""
}

// pulled are the images stages (a build of t) pull, sorted, each once.
// An image that comes through a docker-image:// named context is that
// context's part, not one of these.
func pulled(t *bake.Target, stages []dockerfile.Stage) []string {
	var out []string
	for _, im := range dockerfile.Images(t, stages) {
		if im.Context == "" {
			out = append(out, im.Ref)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// contextName is the named context that mount serves.
func contextName(r *inputs.Request, mount string) string {
	for k, v := range r.Attrs {
		if name, ok := strings.CutPrefix(k, "context:"); ok && v == "local:"+mount {
			return name
		}
	}
	return mount
}

// defaultProvenance says whether the executor adds buildx's default
// provenance to n (inputs.DefaultProvenance, for a solve that exports). A
// daemon too old to attest (before BuildKit v0.11) gets none, which the
// digest cannot know; a variable that does not parse fails the build,
// whatever the digest.
func (h *Hasher) defaultProvenance(n *plan.Node, r *inputs.Request) bool {
	on, _ := inputs.DefaultProvenance(r, h.opt.Getenv)
	return on && exported(n)
}

// exported says whether the executor adds what only an export needs to
// n (executor/buildinfo.go): not to a dependency or a call.
func exported(n *plan.Node) bool {
	return n.Solve.Role != plan.RoleDependency && !inputs.IsCall(n.Solve.Targets[0])
}

// seal computes Digest and Result from Parts.
func (s *Solve) seal() {
	all := newEncoder("xbake-solve-v1")
	res := newEncoder("xbake-result-v1")
	all.uint(uint64(len(s.Parts)))
	for _, k := range slices.Sorted(maps.Keys(s.Parts)) {
		all.str(k)
		all.str(s.Parts[k])
		if !slices.Contains(exportParts, k) {
			res.str(k)
			res.str(s.Parts[k])
		}
	}
	s.Digest, s.Result = all.digest(), res.digest()
}

func listDigest(list []string) string {
	enc := newEncoder("xbake-list-v1")
	enc.strs(list)
	return enc.digest()
}

// ids are the sorted ids of a target's secrets or ssh entries.
func ids[E any](entries []E, id func(E) string) []string {
	out := make([]string, 0, len(entries))
	for _, e := range entries {
		out = append(out, id(e))
	}
	slices.Sort(out)
	return out
}

// layout resolves an oci-layout:// context: ref is "@sha256:..." (used as
// is) or ":tag", the manifest of index.json whose ref.name annotation is
// the tag.
func (h *Hasher) layout(dir, ref string) (string, error) {
	if d, ok := strings.CutPrefix(ref, "@"); ok {
		return d, nil
	}
	tag := strings.TrimPrefix(ref, ":")
	data, err := h.opt.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		return "", fmt.Errorf("the OCI layout %s: %w", dir, unwrapPath(err))
	}
	var idx struct {
		Manifests []struct {
			Digest      string            `json:"digest"`
			Annotations map[string]string `json:"annotations"`
		} `json:"manifests"`
	}
	if err := json.Unmarshal(data, &idx); err != nil {
		return "", fmt.Errorf("the OCI layout %s: index.json: %w", dir, err)
	}
	for _, m := range idx.Manifests {
		if m.Annotations["org.opencontainers.image.ref.name"] == tag {
			return m.Digest, nil
		}
	}
	return "", fmt.Errorf("the OCI layout %s has no image tagged %q", dir, tag)
}
