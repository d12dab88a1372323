package executor

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/plan"
)

// export is one exporter of a solve and what it publishes.
type export struct {
	target string
	out    int // index in the target's Outputs
	entry  client.ExportEntry
	// file and dir are where a file or folder output is written (the
	// ExportEntry's writer is attached when the solve starts).
	file, dir string
	// load: a docker tarball streamed into a docker engine.
	load bool
	// loadInto: a part of one multi-platform image that the merge node
	// loads into this engine (plan.Plan.LoadIndex; load.go).
	loadInto *builder.Engine
	// merge: the plan gave the target a merge node (Solve.Roles).
	merge bool
	// byDigest: per-platform image pushed by digest for a merge node.
	byDigest bool
	// shared: pushed by another byDigest export of the solve (see
	// orderExports); not sent to BuildKit.
	shared bool
	// part: a per-platform OCI or tar file for a merge node.
	part string
}

// Merge-part kinds.
const (
	partOCI = "oci"
	partTar = "tar"
)

// exportsFor lists the exporters of a solve node, as the plan decided
// them: per target, its role (export, merge, or nothing for a dependency)
// and whether it has several platforms, whose outputs are then named per
// platform. tmp is a private folder of the run for per-platform parts of
// merged outputs.
func exportsFor(n *plan.Node, tmp string) ([]*export, error) {
	s := n.Solve
	if s.Role == plan.RoleDependency || isCall(s.Targets[0]) {
		// A call (check, outline, targets) returns a report, not an image.
		return nil, nil
	}
	var out []*export
	for k, t := range s.Targets {
		if s.Roles[k] == plan.RoleDependency {
			continue // a shared solve exports nothing for a linked target
		}
		how := exportPlan{merge: s.Roles[k] == plan.RoleMerge, perPlatform: s.PerPlatform(k)}
		for i, o := range t.Outputs {
			e, err := exportFor(n.ID, t, o, s.Platform, how, tmp)
			if err != nil {
				return nil, fmt.Errorf("target %s: output type=%s: %w", t.Name, o.Type, err)
			}
			if e != nil {
				e.target, e.out, e.merge = t.Name, i, how.merge
				out = append(out, e)
			}
		}
	}
	return out, nil
}

// exportPlan is what the plan decided for one target of a solve.
type exportPlan struct {
	// merge: the target's merged outputs (plan.MergedOutput) are parts
	// for its merge node: images pushed by digest, OCI and tar parts.
	merge bool
	// perPlatform: the target has several platforms, so what the solve
	// writes itself is named per platform.
	perPlatform bool
}

func exportFor(id string, t *bake.Target, o *bake.Export, plat ocispec.Platform, how exportPlan, tmp string) (*export, error) {
	attrs := maps.Clone(o.Attrs)
	if attrs == nil {
		attrs = map[string]string{}
	}
	typ := o.Type
	if typ == "registry" {
		typ, attrs["push"] = "image", "true"
	}
	switch typ {
	case "cacheonly":
		return nil, nil
	case "image":
		if err := addAnnotations(attrs, t.Annotations); err != nil {
			return nil, err
		}
		names := strings.Join(plan.ImageNames(t, o), ",")
		push, _ := strconv.ParseBool(attrs["push"])
		e := &export{entry: client.ExportEntry{Type: "image", Attrs: attrs}}
		switch {
		case push && names == "":
			return nil, fmt.Errorf("tag is needed when pushing to registry")
		case push && how.merge:
			repos, err := repositories(names)
			if err != nil {
				return nil, err
			}
			attrs["name"], attrs["push-by-digest"] = strings.Join(repos, ","), "true"
			e.byDigest = true
		case how.perPlatform:
			// One name cannot hold several unrelated platform images in the
			// builder's store; without push the per-platform images stay
			// unnamed, as the merge has nothing to publish.
			delete(attrs, "name")
		default:
			if names != "" {
				attrs["name"] = names
			}
		}
		return e, nil
	case "oci", "tar":
		if typ == "oci" {
			if err := addAnnotations(attrs, t.Annotations); err != nil {
				return nil, err
			}
		}
		if o.Dest == "" {
			return nil, fmt.Errorf("dest is required")
		}
		if how.merge {
			// Each platform writes a part; the merge node assembles dest.
			part := filepath.Join(tmp, sanitize(id)+"."+typ+".tar")
			delete(attrs, "tar")
			return &export{entry: client.ExportEntry{Type: typ, Attrs: attrs}, file: part, part: typ}, nil
		}
		if typ == "oci" && attrs["tar"] == "false" {
			return &export{entry: client.ExportEntry{Type: typ, Attrs: attrs}, dir: o.Dest}, nil
		}
		return &export{entry: client.ExportEntry{Type: typ, Attrs: attrs}, file: o.Dest}, nil
	case "docker":
		if err := addAnnotations(attrs, t.Annotations); err != nil {
			return nil, err
		}
		if attrs["name"] == "" && len(t.Tags) > 0 {
			names := plan.ImageNames(t, o)
			if how.perPlatform {
				names = suffixTags(names, plat)
			}
			attrs["name"] = strings.Join(names, ",")
		}
		if o.Dest == "" {
			return &export{entry: client.ExportEntry{Type: "docker", Attrs: attrs}, load: true}, nil
		}
		dest := o.Dest
		if how.perPlatform {
			dest = platformFile(dest, plat)
		}
		return &export{entry: client.ExportEntry{Type: "docker", Attrs: attrs}, file: dest}, nil
	case "local":
		if o.Dest == "" {
			return nil, fmt.Errorf("dest is required")
		}
		dest := o.Dest
		if how.perPlatform {
			dest = filepath.Join(dest, strings.ReplaceAll(platforms.Format(plat), "/", "_"))
		}
		return &export{entry: client.ExportEntry{Type: "local", Attrs: attrs}, dir: dest}, nil
	default:
		return nil, fmt.Errorf("unknown output type")
	}
}

// repositories turns "repo:tag,repo2:tag" into the distinct repositories,
// in order: per-platform images are pushed there by digest.
func repositories(names string) ([]string, error) {
	var out []string
	for _, n := range strings.Split(names, ",") {
		n = strings.TrimSpace(n)
		if n == "" {
			continue
		}
		r, err := reference.ParseNormalizedNamed(n)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, r.Name()) {
			out = append(out, r.Name())
		}
	}
	return out, nil
}

// platformFile names a per-platform file: "out/app.tar" becomes
// "out/app-linux-arm64.tar".
func platformFile(dest string, p ocispec.Platform) string {
	suffix := "-" + strings.ReplaceAll(platforms.Format(p), "/", "-")
	ext := filepath.Ext(dest)
	return strings.TrimSuffix(dest, ext) + suffix + ext
}

// suffixTags gives each platform's docker image its own tag
// ("app:1.0-linux-arm64"), since a docker store holds one image per tag.
func suffixTags(tags []string, p ocispec.Platform) []string {
	suffix := "-" + strings.ReplaceAll(platforms.Format(p), "/", "-")
	out := make([]string, 0, len(tags))
	for _, t := range tags {
		r, err := reference.ParseNormalizedNamed(t)
		if err != nil {
			out = append(out, t+suffix)
			continue
		}
		tag := "latest"
		if tg, ok := r.(reference.Tagged); ok {
			tag = tg.Tag()
		}
		out = append(out, r.Name()+":"+tag+suffix)
	}
	return out
}

// addAnnotations turns bake's `annotations` entries ("key=value",
// "manifest:key=value", "index,manifest:key=value",
// "manifest[linux/amd64]:key=value") into exporter attributes, as buildx
// does. Index annotations are kept for the merge node too.
func addAnnotations(attrs map[string]string, anns []string) error {
	for _, a := range anns {
		k, v, ok := strings.Cut(a, "=")
		if !ok {
			return fmt.Errorf("invalid annotation %q: want key=value", a)
		}
		types, key := "", k
		if i := strings.Index(k, ":"); i > 0 && !strings.Contains(k[:i], ".") {
			types, key = k[:i], k[i+1:]
		}
		if types == "" {
			attrs["annotation."+key] = v
			continue
		}
		for _, typ := range strings.Split(types, ",") {
			attrs["annotation-"+typ+"."+key] = v
		}
	}
	return nil
}

// indexAnnotations are the annotations a merged index carries.
func indexAnnotations(t *bake.Target) map[string]string {
	out := map[string]string{}
	for _, a := range t.Annotations {
		k, v, _ := strings.Cut(a, "=")
		types, key, ok := strings.Cut(k, ":")
		if !ok {
			continue
		}
		for _, typ := range strings.Split(types, ",") {
			if typ == "index" {
				out[key] = v
			}
		}
	}
	return out
}

// isCall reports whether t asks the frontend for a subrequest (--call
// check/outline/targets) instead of a build.
func isCall(t *bake.Target) bool { return inputs.IsCall(t) }
