package digests

import (
	"maps"
	"slices"
	"strings"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// outputAttrs are the attributes of a registry output that only say where
// the image goes or how to reach the registry: they do not change what is
// pushed, so they stay out of a target's digest.
var outputAttrs = []string{"name", "push", "push-by-digest", "registry.insecure", "insecure", "dest", "unpack", "store"}

// targets computes the digest of every target that a solve of p exports
// or merges: its registry outputs' attributes (the image's compression,
// media types, annotations...) and its solves' digests in platform order.
func (s *Set) targets(p *plan.Plan) {
	type acc struct {
		t     *bake.Target
		plats []string
		byPl  map[string]string // platform -> solve node ID
	}
	byName := map[string]*acc{}
	var names []string
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		for i, t := range n.Solve.Targets {
			if n.Solve.Roles[i] == plan.RoleDependency {
				continue
			}
			a := byName[t.Name]
			if a == nil {
				a = &acc{t: t, plats: n.Solve.TargetPlatforms[i], byPl: map[string]string{}}
				byName[t.Name] = a
				names = append(names, t.Name)
			}
			a.byPl[n.Platform] = n.ID
		}
	}
	slices.Sort(names)
	for _, name := range names {
		a := byName[name]
		tg := &Target{Platforms: a.plats}
		enc := newEncoder("xbake-target-v1")
		writeOutputs(enc, a.t.Outputs)
		enc.uint(uint64(len(a.plats)))
		for _, pl := range a.plats {
			id := a.byPl[pl]
			tg.Solves = append(tg.Solves, id)
			sv := s.Solves[id]
			switch {
			case sv == nil:
				tg.Unknown = "the solve " + id + " was not computed"
			case sv.Unknown != "" && tg.Unknown == "":
				tg.Unknown = id + ": " + sv.Unknown
			case tg.Unknown == "":
				enc.str(pl)
				enc.str(sv.Digest)
			}
		}
		if tg.Unknown == "" {
			tg.Digest = enc.digest()
		}
		s.Targets[name] = tg
	}
}

// writeOutputs writes what of each registry output changes the image.
func writeOutputs(enc *encoder, outs []*bake.Export) {
	var kept []*bake.Export
	for _, o := range outs {
		if plan.PushedImage(o) {
			kept = append(kept, o)
		}
	}
	enc.uint(uint64(len(kept)))
	for _, o := range kept {
		attrs := maps.Clone(o.Attrs)
		for _, k := range outputAttrs {
			delete(attrs, k)
		}
		enc.str("image") // type=registry is type=image,push=true
		enc.smap(attrs)
	}
}

// Tag is the tag that records, in a repository the target pushes to,
// the image built from these inputs: "xbake-inputs-" and the digest's
// hex (77 characters; a tag may have 128).
func (t *Target) Tag() string {
	if t == nil || t.Digest == "" {
		return ""
	}
	return TagPrefix + strings.TrimPrefix(t.Digest, "sha256:")
}

// TagPrefix starts every record tag of a target; ResultPrefix every record
// tag of a dependency's result.
const (
	TagPrefix    = "xbake-inputs-"
	ResultPrefix = "xbake-result-"
)
