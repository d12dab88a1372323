package plan

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/hashicorp/hcl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// New plans def for req: one solve node per (target, platform), identical
// solves shared, one merge node per target that publishes or exports a
// multi-platform result, and the edges of `target:` contexts.
//
// New is pure: it reads no environment, clock or file system, and the same
// input always gives the same Plan. It keeps going after an error, so that
// every invalid platform, link and cycle is reported in one run, sorted by
// position. When any diagnostic is an error, the Plan is nil: nothing is
// planned from an invalid definition. Diagnostics about the definition have
// a subject; those about req (an invalid default or builder platform, which
// callers should check earlier with ParsePlatform) have none.
func New(def *bake.Definition, req Request) (*Plan, hcl.Diagnostics) {
	b := newBuilder(req)
	b.parseRequest()
	b.check(def)
	if b.diags.HasErrors() {
		return nil, sortDiags(b.diags)
	}
	p := b.build()
	return p, sortDiags(b.diags)
}

// CheckLinks applies the rules of platforms and `target:` contexts that
// buildx applies before `--print`, with the same diagnostics as New: a
// platform that containerd cannot parse, links to nothing, to an unknown
// target or to the target itself, cycles, and a dependency with several
// platforms that lacks one of its dependent's. It needs no Request, so it
// checks links only between the platforms a target writes out: one that
// declares none, writes "local" or has a platform New would reject is
// left to New, and so are the platforms containerd parses that New
// rejects (an unknown name, a single component, an empty one), which
// buildx's --print accepts. A dependent with a single platform is held to
// the platform rule only by New (buildx's --print accepts it, its build
// cannot work): here that is a warning.
func CheckLinks(def *bake.Definition) hcl.Diagnostics {
	b := newBuilder(Request{})
	b.linksOnly = true
	b.check(def)
	return sortDiags(b.diags)
}

func newBuilder(req Request) *builder {
	return &builder{
		req:    req,
		parsed: map[string]parsedPlatform{},
		byName: map[string]*tinfo{},
	}
}

// check resolves the targets' platforms and links and reports what is
// wrong with them.
func (b *builder) check(def *bake.Definition) {
	if def != nil {
		b.collectTargets(def.Targets)
	}
	for _, ti := range b.targets {
		b.resolvePlatforms(ti)
	}
	for _, ti := range b.targets {
		b.resolveLinks(ti)
	}
	b.checkCycles()
	b.checkLinkPlatforms()
	if def != nil && !b.linksOnly {
		b.tests = def.Tests
		b.checkTests(def.Tests)
		b.checkPolicies(def.Targets)
	}
}

// builder holds the state of one New call.
type builder struct {
	req Request
	// dflt is Request.DefaultPlatform parsed; nil when it is missing or
	// invalid (then the first target that needs it reports it).
	dflt        *tplat
	dfltChecked bool
	// whole is the builder as one node (Request.BuilderPlatforms, see
	// classify); nil without them.
	whole *parsedNode

	// linksOnly is CheckLinks: platforms only as written out, and only
	// the diagnostics of links.
	linksOnly bool

	targets []*tinfo // sorted by name
	byName  map[string]*tinfo
	parsed  map[string]parsedPlatform // a cache: the same strings recur in matrices
	diags   hcl.Diagnostics

	// tests are def.Tests; testPlats[i] the platforms tests[i] runs on,
	// canonical (nil: all of its target's).
	tests     []*bake.Test
	testPlats [][]string
}

// tinfo is one target as the planner sees it.
type tinfo struct {
	t *bake.Target
	// plats are the target's platforms, canonical, deduplicated, in
	// declaration order.
	plats []tplat
	// keys are the canonical spellings of plats, built once for the plan
	// (Solve.TargetPlatforms, Merge.Platforms).
	keys []string
	// broken is set when a platform was invalid (or, for CheckLinks, not
	// known without a Request); checks that need the platforms skip the
	// target rather than report follow-on errors.
	broken bool
	// links are the `target:` contexts, sorted by context name.
	links []tlink
	// merge is set when the target publishes or exports a multi-platform
	// result, which only a merge node can assemble from per-platform solves:
	// it was requested, has several platforms and a MergedOutput or a
	// MergedCache.
	merge bool
	// solves[i] is the solve group that builds plats[i].
	solves []int
	// reuse is the image an unchanged target reuses (Request.Unchanged).
	reuse *Reuse
}

type tplat struct {
	spec ocispec.Platform
	key  string
	def  bool // from Request.DefaultPlatform
}

type tlink struct {
	name string
	dep  *tinfo
}

func (b *builder) errorf(subject hcl.Range, summary, format string, args ...any) {
	b.diags = append(b.diags, errorf(subject, summary, format, args...))
}

func (b *builder) parseRequest() {
	if b.req.DefaultPlatform != "" {
		p, err := parsePlatform(b.req.DefaultPlatform)
		if err != nil {
			b.diags = append(b.diags, requestErrorf("Invalid default platform",
				"The default platform given to the planner is invalid: %s", err.Detail))
			b.dfltChecked = true
		} else {
			b.dflt = &tplat{spec: p, key: FormatPlatform(p), def: true}
		}
	}
	if len(b.req.Nodes) > 0 {
		return // each node's platforms decide, not BuilderPlatforms
	}
	for _, s := range b.req.BuilderPlatforms {
		p, err := parsePlatform(s)
		if err != nil {
			b.diags = append(b.diags, requestErrorf("Invalid builder platform",
				"A builder platform given to the planner is invalid: %s", err.Detail))
			continue
		}
		if b.whole == nil {
			b.whole = &parsedNode{build: p}
		}
		b.whole.native = append(b.whole.native, nativeMatcher(p))
	}
}

// defaultPlatform returns Request.DefaultPlatform for target ti, reporting
// once when there is none.
func (b *builder) defaultPlatform(ti *tinfo) (tplat, bool) {
	if b.dflt != nil {
		return *b.dflt, true
	}
	if !b.dfltChecked {
		b.dfltChecked = true
		b.diags = append(b.diags, requestErrorf("Missing default platform",
			"Target %q needs the builder's default platform, but none was given to the planner. "+
				"Set Request.DefaultPlatform.", ti.t.Name))
	}
	return tplat{}, false
}

// collectTargets sorts the targets by name, whatever order the Definition
// has, and rejects repeated names, which would make node IDs ambiguous.
func (b *builder) collectTargets(targets []*bake.Target) {
	for _, t := range targets {
		if t != nil {
			b.targets = append(b.targets, &tinfo{t: t})
		}
	}
	slices.SortStableFunc(b.targets, func(x, y *tinfo) int { return cmp.Compare(x.t.Name, y.t.Name) })
	kept := b.targets[:0]
	for _, ti := range b.targets {
		if first, dup := b.byName[ti.t.Name]; dup {
			b.errorf(declRange(ti.t), "Duplicate target", "Target %q is defined more than once "+
				"in the resolved definition (first at %s). Give each target a unique name.",
				ti.t.Name, posString(declRange(first.t)))
			continue
		}
		b.byName[ti.t.Name] = ti
		kept = append(kept, ti)
	}
	b.targets = kept
}

func declRange(t *bake.Target) hcl.Range {
	if t.Source == nil {
		return hcl.Range{}
	}
	return t.Source.DeclRange
}

func posString(r hcl.Range) string {
	if r.Filename == "" {
		return "an unknown position"
	}
	return fmt.Sprintf("%s:%d:%d", r.Filename, r.Start.Line, r.Start.Column)
}
