//go:build !xbakefront

package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/moby/buildkit/solver/errdefs"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

var timeNow = time.Now

// writeSummary prints one row per node: what happened, on which builder
// node, how (native, cross or emulated there), how long, how much came
// from cache, how its smoke tests went, and what was published. The
// duration and the steps are the node's own (see executor.NodeReport);
// the builder node and EXEC are those of the attempt that ended the
// solve. Solves taken off a lost node follow the table, with where they
// went and why.
func writeSummary(w io.Writer, rep *executor.Report, red *executor.Redactor) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NODE\tBUILDER\tSTATUS\tEXEC\tDURATION\tCACHED/STEPS\tTEST\tDIGEST\tPUBLISHED")
	for _, nr := range rep.Nodes {
		n := nr.Node
		exec, where := string(cmp.Or(nr.Exec, n.Exec)), cmp.Or(nr.Builder, "-")
		if n.Kind == plan.KindMerge || nr.Status == executor.StatusUnchanged {
			exec = "-" // a merge, or a solve that did not run
		} else if exec == "" {
			exec = "?"
		}
		dur, steps, dgst, pub := "-", "-", "-", "-"
		if nr.Duration > 0 {
			dur = nr.Duration.Round(100 * time.Millisecond).String()
		}
		if nr.Steps > 0 {
			steps = fmt.Sprintf("%d/%d", nr.Cached, nr.Steps)
		}
		if r := nr.Output(); r != nil {
			if d := r.Descriptor.Digest; d != "" {
				dgst = d.Encoded()[:12]
			}
			if len(r.Published) > 0 {
				pub = red.String(strings.Join(r.Published, ", "))
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", n.ID, where, nr.Status, exec, dur, steps, testColumn(nr), dgst, pub)
	}
	tw.Flush()
	for _, nr := range rep.Nodes {
		for i, m := range nr.Moves {
			// The next attempt's node: the next move's, else the last.
			to := nr.Builder
			if i+1 < len(nr.Moves) {
				to = nr.Moves[i+1].From
			}
			if to == m.From || to == "" {
				fmt.Fprintf(w, "lost: %s on %s, and no other node could take it: builder node %s was lost: %s\n", nr.Node.ID, m.From, m.From, red.String(m.Reason))
				continue
			}
			fmt.Fprintf(w, "moved: %s from %s to %s: builder node %s was lost: %s\n", nr.Node.ID, m.From, to, m.From, red.String(m.Reason))
		}
	}
	for _, t := range perPlatformLoads(rep) {
		not := ""
		if len(t.Tags) > 0 {
			not = ", not under " + red.String(strings.Join(t.Tags, ", "))
		}
		fmt.Fprintf(w, "loaded per platform: %s: the docker engine keeps one platform per tag (it does not use the containerd image store), so each platform was loaded under its own tag, TAG-os-arch (listed above)%s; see docs/compat.md\n", t.Name, not)
	}
}

// perPlatformLoads are the multi-platform targets whose solves loaded
// their own platform into the docker engine themselves, in report order:
// a load the engine keeps as one image under the user's tags is its merge
// node's.
func perPlatformLoads(rep *executor.Report) []*bake.Target {
	var out []*bake.Target
	for _, nr := range rep.Nodes {
		r := nr.Output()
		if nr.Node.Kind != plan.KindSolve || nr.Node.Solve == nil || r == nil ||
			!slices.ContainsFunc(r.Published, func(p string) bool { return strings.HasPrefix(p, "docker:") }) {
			continue
		}
		for i, t := range nr.Node.Solve.Targets {
			if nr.Node.Solve.PerPlatform(i) && !slices.Contains(out, t) {
				out = append(out, t)
			}
		}
	}
	return out
}

// printFailures prints each failed node's error with the position of its
// declaring block and, for Dockerfile errors, the failing lines.
func printFailures(w io.Writer, rep *executor.Report, runErr error, red *executor.Redactor) {
	printed := false
	if rep != nil {
		for _, nr := range rep.Nodes {
			if nr.Status != executor.StatusFailed || nr.Err == nil {
				continue
			}
			printed = true
			fmt.Fprintf(w, "\nerror: %s%s\n", origin(nr.Node), red.String(nr.Err.Error()))
			for _, src := range errdefs.Sources(nr.Err) {
				var b strings.Builder
				_ = src.Print(&b)
				fmt.Fprint(w, red.String(b.String()))
			}
		}
	}
	if !printed && runErr != nil {
		fmt.Fprintf(w, "\nerror: %s\n", red.String(runErr.Error()))
	}
}

// origin is "file:line:col: " of the node's declaring block, if known.
func origin(n *plan.Node) string {
	r := n.Origin
	if r.Filename == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d:%d: ", r.Filename, r.Start.Line, r.Start.Column)
}

// printCallResults prints the reports of --call subrequests (check,
// outline, targets), once per target, as buildx does; it reports whether
// any of them says the check failed.
func printCallResults(w io.Writer, rep *executor.Report, red *executor.Redactor) bool {
	failed := false
	seen := map[string]bool{}
	for _, nr := range rep.Nodes {
		if nr.Result == nil || nr.Node.Kind != plan.KindSolve {
			continue
		}
		for _, t := range nr.Node.Solve.Targets {
			er := nr.Result.ExporterResponse[t.Name]
			txt, ok := er["result.txt"]
			if !ok || seen[t.Name] {
				continue
			}
			seen[t.Name] = true
			fmt.Fprintf(w, "%s:\n%s\n", t.Name, red.String(strings.TrimRight(txt, "\n")))
			if code := er["result.statuscode"]; code != "" && code != "0" {
				failed = true
			}
		}
	}
	return failed
}
