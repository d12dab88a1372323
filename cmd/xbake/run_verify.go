//go:build !xbakefront

package main

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// What a run verified, after the summary table: the smoke tests of each
// solve (their TEST column is in the table), and the RUN steps that ran
// under QEMU with their share of the solve's time.

// stepTimer measures, from a run's progress events, how long the RUN
// steps that the plan marked emulated (plan.Solve.EmulatedRuns) took,
// by the Dockerfile step name BuildKit gives their vertices. It is safe
// for concurrent use.
type stepTimer struct {
	mu    sync.Mutex
	spans map[string]map[digest.Digest]*span // node ID -> its RUN vertices
}

type span struct {
	name        string
	start, stop time.Time
	cached      bool
}

func newStepTimer() *stepTimer { return &stepTimer{spans: map[string]map[digest.Digest]*span{}} }

// wrap records the RUN vertices of emulated solves, then passes ev on.
func (st *stepTimer) wrap(next func(executor.Event)) func(executor.Event) {
	return func(ev executor.Event) {
		if ev.Kind == executor.EventProgress && ev.Node.Solve != nil && len(ev.Node.Solve.EmulatedRuns) > 0 {
			st.record(ev.Node.ID, ev)
		}
		next(ev)
	}
}

func (st *stepTimer) record(id string, ev executor.Event) {
	st.mu.Lock()
	defer st.mu.Unlock()
	for _, v := range ev.Status.Vertexes {
		if !strings.Contains(v.Name, "] RUN ") {
			continue
		}
		m := st.spans[id]
		if m == nil {
			m = map[digest.Digest]*span{}
			st.spans[id] = m
		}
		s := m[v.Digest]
		if s == nil {
			s = &span{}
			m[v.Digest] = s
		}
		s.name = v.Name
		if v.Started != nil && (s.start.IsZero() || v.Started.Before(s.start)) {
			s.start = *v.Started
		}
		if v.Completed != nil {
			s.stop = *v.Completed
		}
		s.cached = s.cached || v.Cached
	}
}

// took returns how long run r of node id took (ok false when no vertex
// of it was seen: it belongs to another node, or its name is unknown).
func (st *stepTimer) took(id string, r plan.RunStep) (time.Duration, span, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if r.Step == "" {
		return 0, span{}, false
	}
	for _, s := range st.spans[id] {
		if strings.HasPrefix(s.name, r.Step+"RUN ") && !s.stop.IsZero() {
			return s.stop.Sub(s.start), *s, true
		}
	}
	return 0, span{}, false
}

// writeVerified prints, after the summary table, each smoke test that ran
// (a failed one's output is in the errors that follow), and for each
// emulated solve its steps under QEMU with their measured time, their
// share of the solve's own duration, and the advice for a known toolchain.
func writeVerified(w io.Writer, rep *executor.Report, st *stepTimer, red *executor.Redactor) {
	var sections []string
	var b strings.Builder
	for _, nr := range rep.Nodes {
		if nr.Result == nil {
			continue
		}
		for _, t := range nr.Result.Tests {
			fmt.Fprintf(&b, "test %s: %s passed in %s", t.Name, nr.Node.ID, t.Duration.Round(time.Millisecond))
			if line := firstLine(t.Output); line != "" {
				fmt.Fprintf(&b, ": %s", red.String(line))
			}
			b.WriteString("\n")
		}
	}
	if b.Len() > 0 {
		sections = append(sections, b.String())
	}
	for _, nr := range rep.Nodes {
		n := nr.Node
		if n.Solve == nil || len(n.Solve.EmulatedRuns) == 0 || (nr.Status != executor.StatusDone && nr.Status != executor.StatusCached && nr.Status != executor.StatusFailed) {
			continue
		}
		var lines strings.Builder
		var spans []span
		for _, r := range n.Solve.EmulatedRuns {
			took := ""
			if d, s, ok := st.took(n.ID, r); ok && s.cached {
				took = ", cached"
			} else if ok {
				took = " took " + d.Round(100*time.Millisecond).String()
				spans = append(spans, s)
			}
			writeStep(&lines, &emulatedStep{file: n.Solve.Dockerfile, run: r}, took)
		}
		sections = append(sections, fmt.Sprintf("emulated %s: %s\n", n.ID, shareOf(union(spans), nr.Duration))+indent(lines.String(), "  "))
	}
	for _, s := range sections {
		fmt.Fprint(w, "\n"+s)
	}
}

// shareOf says how much of a solve's duration its emulated steps took.
func shareOf(steps, total time.Duration) string {
	if total <= 0 || steps <= 0 {
		return "no RUN step ran under QEMU this time (cached)"
	}
	return fmt.Sprintf("RUN steps under QEMU took %s of its %s (%d%%)", steps.Round(100*time.Millisecond),
		total.Round(100*time.Millisecond), min(100, int(100*steps/total)))
}

// union is the time covered by spans: stages that run at once count once.
func union(spans []span) time.Duration {
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	var total time.Duration
	var end time.Time
	for _, s := range spans {
		start := s.start
		if start.Before(end) {
			start = end
		}
		if s.stop.After(start) {
			total += s.stop.Sub(start)
			end = s.stop
		}
	}
	return total
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	if len(line) > 100 {
		line = line[:100] + "…"
	}
	return line
}

func indent(s, prefix string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// testColumn is a solve's TEST cell.
func testColumn(nr *executor.NodeReport) string {
	if nr.Node.Kind != plan.KindSolve {
		return "-"
	}
	return cmp.Or(executor.TestStatus(nr), "-")
}
