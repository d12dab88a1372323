package affected

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/localfile"
)

// DefinitionKey is what of a resolved target counts as its bake file
// entry: every attribute that reaches its builds (bake.Target.SolveKey),
// its platforms and, unless it is only a dependency (which exports
// nothing), its outputs. Its name, description and tags only name or
// place the result.
func DefinitionKey(t *bake.Target) string {
	var b strings.Builder
	b.WriteString(t.SolveKey())
	fmt.Fprintf(&b, "\x00%q", t.Platforms)
	for _, o := range t.Outputs {
		if o == nil || t.Linked {
			continue
		}
		fmt.Fprintf(&b, "\x00%q %q", o.Type, o.Dest)
		for _, k := range slices.Sorted(maps.Keys(o.Attrs)) {
			fmt.Fprintf(&b, " %q=%q", k, o.Attrs[k])
		}
	}
	return b.String()
}

// Selection is what Select found.
type Selection struct {
	// Targets are the requested targets that are affected, sorted.
	Targets []string
	// Why says, for every affected target (linked ones too), why.
	Why map[string]string
}

// Select returns the requested targets of def that c affects. before
// holds each target's DefinitionKey at the revision (a target missing
// from it is new); wd resolves relative paths as for the build.
func Select(def *bake.Definition, before map[string]string, c *Changes, wd string) (*Selection, error) {
	byName := map[string]*bake.Target{}
	for _, t := range def.Targets {
		byName[t.Name] = t
	}
	sel := &Selection{Why: map[string]string{}}
	done := map[string]bool{}
	var visit func(t *bake.Target) error
	visit = func(t *bake.Target) error {
		if done[t.Name] {
			return nil
		}
		done[t.Name] = true // no cycles: the definition was checked
		why, err := own(t, before, c, wd)
		if err != nil {
			return fmt.Errorf("target %s: %w", t.Name, err)
		}
		for _, name := range slices.Sorted(maps.Keys(t.Contexts)) {
			dep, ok := strings.CutPrefix(t.Contexts[name], "target:")
			if !ok || byName[dep] == nil {
				continue
			}
			if err := visit(byName[dep]); err != nil {
				return err
			}
			if sel.Why[dep] != "" && why == "" {
				why = "its dependency " + dep + " is affected"
			}
		}
		if why != "" {
			sel.Why[t.Name] = why
		}
		return nil
	}
	for _, t := range def.Targets {
		if err := visit(t); err != nil {
			return nil, err
		}
		if !t.Linked && sel.Why[t.Name] != "" {
			sel.Targets = append(sel.Targets, t.Name)
		}
	}
	slices.Sort(sel.Targets)
	return sel, nil
}

// own says why t itself is affected, or "".
func own(t *bake.Target, before map[string]string, c *Changes, wd string) (string, error) {
	key, ok := before[t.Name]
	switch {
	case !ok:
		return "it is new since " + c.Ref, nil
	case key != DefinitionKey(t):
		return "its definition changed", nil
	}
	// The platform does not change which files a build reads.
	r, err := inputs.Of(t, ocispec.Platform{OS: "linux", Architecture: "amd64"}, wd)
	if err != nil {
		return "", err
	}
	files := r.Dockerfiles()
	locals, err := r.Sources(nil)
	if err != nil {
		return "", err
	}
	if df, ok := r.Locals[inputs.MountDockerfile]; ok {
		// Its own ignore file counts whether it exists now or did then.
		files = append(files, filepath.Join(df, r.Attrs["filename"]+".dockerignore"))
	}
	for _, l := range locals {
		files = append(files, l.IgnoreFile)
	}
	for _, f := range files {
		if p := localfile.Resolve(f); slices.Contains(c.Paths, p) {
			return rel(c, p) + " changed", nil
		}
	}
	for _, l := range locals {
		if p, err := changedIn(c, l); p != "" || err != nil {
			return rel(c, p) + " changed", err
		}
	}
	for _, dir := range slices.Sorted(maps.Values(r.OCILayouts)) {
		if p, _ := changedIn(c, inputs.Local{Dir: dir}); p != "" {
			return rel(c, p) + " changed", nil
		}
	}
	return "", nil
}

// changedIn returns a changed path that l sends to the build, or "".
func changedIn(c *Changes, l inputs.Local) (string, error) {
	dir := localfile.Resolve(l.Dir) + string(filepath.Separator)
	var pm *patternmatcher.PatternMatcher
	if len(l.Excludes) > 0 {
		var err error
		if pm, err = patternmatcher.New(l.Excludes); err != nil {
			return "", fmt.Errorf("%s: %w", l.IgnoreFile, err)
		}
	}
	i, _ := slices.BinarySearch(c.Paths, dir)
	for ; i < len(c.Paths) && strings.HasPrefix(c.Paths[i], dir); i++ {
		p := c.Paths[i]
		if pm != nil {
			excluded, err := pm.MatchesOrParentMatches(filepath.FromSlash(strings.TrimPrefix(p, dir)))
			if err != nil {
				return "", err
			}
			if excluded {
				continue
			}
		}
		return p, nil
	}
	return "", nil
}

func rel(c *Changes, p string) string {
	if r, ok := c.rel(p); ok {
		return filepath.ToSlash(r)
	}
	return p
}
