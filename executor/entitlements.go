package executor

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/localfile"
	"github.com/xbake/xbake/plan"
)

// EntitlementsError lists the privileges a plan requests that --allow
// does not grant. Nothing is built when it is returned.
type EntitlementsError struct {
	// Missing are the --allow values to add, sorted
	// ("network.host", "fs.write=/abs/out").
	Missing []string
	// Why says, per missing value, which targets ask for it and how.
	Why map[string][]string
}

func (e *EntitlementsError) Error() string {
	var b strings.Builder
	b.WriteString("the build requests privileges that were not granted:\n")
	for _, m := range e.Missing {
		fmt.Fprintf(&b, "  - %s (%s)\n", m, strings.Join(e.Why[m], "; "))
	}
	b.WriteString("add to the command line to grant them:")
	for _, m := range e.Missing {
		b.WriteString(" --allow " + m)
	}
	return b.String()
}

// CheckEntitlements checks what p's targets request against allow (the
// --allow values): `entitlements` and `network = "host"`
// (network.host, security.insecure), and file-system access outside wd:
// reads of local contexts, Dockerfiles, secret and ssh files and local
// cache sources, writes of file outputs and local cache destinations.
// Grants are "network.host", "security.insecure", "fs=PATH|*",
// "fs.read=PATH|*" and "fs.write=PATH|*"; a path grant covers what is
// under it.
func CheckEntitlements(p *plan.Plan, allow []string, wd string) error {
	g := parseGrants(allow)
	e := &EntitlementsError{Why: map[string][]string{}}
	need := func(what, why string) {
		if !slices.Contains(e.Missing, what) {
			e.Missing = append(e.Missing, what)
		}
		if !slices.Contains(e.Why[what], why) {
			e.Why[what] = append(e.Why[what], why)
		}
	}
	seen := map[string]bool{}
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve {
			continue
		}
		for _, t := range n.Solve.Targets {
			if seen[t.Name] {
				continue
			}
			seen[t.Name] = true
			for _, ent := range t.Entitlements {
				if !g.names[ent] {
					need(ent, "target "+t.Name+" lists it in entitlements")
				}
			}
			if t.Network != nil && *t.Network == "host" && !g.names["network.host"] {
				need("network.host", "target "+t.Name+" sets network = \"host\"")
			}
			checkPath := func(mode, path, why string) {
				if path == "" {
					return
				}
				abs := localfile.Resolve(absPath(wd, path))
				if within(abs, localfile.Resolve(wd)) || g.covers(mode, abs) {
					return
				}
				need("fs."+mode+"="+abs, "target "+t.Name+" "+why)
			}
			for _, pth := range readPaths(t) {
				checkPath("read", pth[0], pth[1])
			}
			for _, o := range t.Outputs {
				checkPath("write", o.Dest, "writes output type="+o.Type+" to "+o.Dest)
			}
			for _, c := range t.CacheTo {
				if c.Type == "local" {
					checkPath("write", c.Attrs["dest"], "writes cache to "+c.Attrs["dest"])
				}
			}
		}
	}
	if len(e.Missing) == 0 {
		return nil
	}
	slices.Sort(e.Missing)
	return e
}

// ReadAllowed reports whether allow (the --allow values) grants reading
// path (absolute) outside the working directory, as CheckEntitlements
// decides it.
func ReadAllowed(allow []string, path string) bool {
	return parseGrants(allow).covers("read", localfile.Resolve(path))
}

// readPaths lists (path, reason) pairs a target reads on the client.
func readPaths(t *bake.Target) [][2]string {
	var out [][2]string
	ctx := "."
	if t.Context != nil && *t.Context != "" {
		ctx = *t.Context
	}
	if !bake.IsRemoteURL(ctx) {
		out = append(out, [2]string{ctx, "reads its context " + ctx})
	}
	if df, local := t.DockerfilePath(); local && !within(df, ctx) {
		out = append(out, [2]string{df, "reads its Dockerfile " + df})
	}
	for _, name := range slices.Sorted(maps.Keys(t.Contexts)) {
		v := t.Contexts[name]
		if strings.Contains(v, "://") || strings.HasPrefix(v, "target:") || bake.IsRemoteURL(v) {
			continue
		}
		out = append(out, [2]string{v, "reads context " + name + " from " + v})
	}
	for _, s := range t.Secrets {
		if s.FilePath != "" {
			out = append(out, [2]string{s.FilePath, "reads secret " + s.ID + " from " + s.FilePath})
		}
	}
	for _, s := range t.SSH {
		for _, p := range s.Paths {
			out = append(out, [2]string{p, "reads ssh " + s.ID + " key " + p})
		}
	}
	for _, c := range t.CacheFrom {
		if c.Type == "local" && c.Attrs["src"] != "" {
			out = append(out, [2]string{c.Attrs["src"], "reads cache from " + c.Attrs["src"]})
		}
	}
	return out
}

type grants struct {
	names      map[string]bool
	read, wr   []string
	readAll, w bool
}

func parseGrants(allow []string) *grants {
	g := &grants{names: map[string]bool{}}
	for _, a := range allow {
		for _, v := range strings.Split(a, ",") {
			k, path, hasPath := strings.Cut(strings.TrimSpace(v), "=")
			if !hasPath {
				g.names[k] = true
				continue
			}
			all := path == "*"
			p := localfile.Resolve(path)
			switch k {
			case "fs":
				g.readAll, g.w = g.readAll || all, g.w || all
				g.read, g.wr = append(g.read, p), append(g.wr, p)
			case "fs.read":
				g.readAll = g.readAll || all
				g.read = append(g.read, p)
			case "fs.write":
				g.w = g.w || all
				g.wr = append(g.wr, p)
			}
		}
	}
	return g
}

func (g *grants) covers(mode, p string) bool {
	list, all := g.read, g.readAll
	if mode == "write" {
		list, all = g.wr, g.w
	}
	if all {
		return true
	}
	for _, q := range list {
		if within(p, q) {
			return true
		}
	}
	return false
}

func within(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, "../")
}
