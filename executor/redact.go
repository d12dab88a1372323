package executor

import (
	"bytes"
	"cmp"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

// Redactor hides secret values from everything xbake shows or writes:
// progress lines, error messages, metadata. BuildKit never prints a
// secret by itself, but a build step may (`cat /run/secrets/x`), and a
// failing step's output ends up in its error.
type Redactor struct {
	r *strings.Replacer
	// patterns are the texts r replaces; longest is the length of the
	// longest (what a log stream must hold back, see LogStream).
	patterns []string
	longest  int
}

// minSecretLen: shorter values would blank out ordinary text.
const minSecretLen = 4

// NewRedactor redacts values (empty and very short ones are ignored).
func NewRedactor(values []string) *Redactor {
	var pairs []string
	vs := slices.Clone(values)
	// Longest first, so that a secret containing another is hidden whole.
	slices.SortFunc(vs, func(a, b string) int { return len(b) - len(a) })
	var patterns []string
	longest := 0
	for _, v := range slices.Compact(vs) {
		for _, line := range append([]string{v}, strings.Split(strings.TrimSpace(v), "\n")...) {
			if len(line) >= minSecretLen {
				pairs = append(pairs, line, "****")
				patterns = append(patterns, line)
				longest = max(longest, len(line))
			}
		}
	}
	if len(pairs) == 0 {
		return &Redactor{}
	}
	return &Redactor{r: strings.NewReplacer(pairs...), patterns: patterns, longest: longest}
}

// String redacts s.
func (r *Redactor) String(s string) string {
	if r == nil || r.r == nil {
		return s
	}
	return r.r.Replace(s)
}

// Error returns err with a redacted message; errors.Is/As still see the
// original.
func (r *Redactor) Error(err error) error {
	if err == nil || r == nil || r.r == nil {
		return err
	}
	msg := r.String(err.Error())
	if msg == err.Error() {
		return err
	}
	return &redactedError{msg: msg, err: err}
}

type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.err }

// vertexes returns a copy of st with its vertices' names and errors
// redacted and no logs (the original is not modified: the display may
// still hold it).
func (r *Redactor) vertexes(st *client.SolveStatus) *client.SolveStatus {
	out := &client.SolveStatus{Statuses: st.Statuses, Warnings: st.Warnings}
	for _, v := range st.Vertexes {
		c := *v
		c.Name, c.Error = r.String(c.Name), r.String(c.Error)
		out.Vertexes = append(out.Vertexes, &c)
	}
	return out
}

// LogStream redacts the progress of a run's solves. BuildKit sends a
// step's output in chunks (of about 32 KiB), so a secret the step prints
// may be cut in two, and neither half is a secret to a replacer. Each
// log stream of a vertex keeps back what follows its last newline (no
// secret pattern holds one) until the next chunk, the vertex's end or
// Flush; a line longer than maxHeld is cut where no secret spans the cut.
// Without secrets, logs pass through as they come.
type LogStream struct {
	r    *Redactor
	mu   sync.Mutex
	held map[logKey]*client.VertexLog
}

type logKey struct {
	solve  string
	vertex digest.Digest
	stream int
}

// maxHeld bounds what a stream keeps back, above the longest secret.
const maxHeld = 64 << 10

// Logs returns a LogStream for one run's progress.
func (r *Redactor) Logs() *LogStream {
	return &LogStream{r: r, held: map[logKey]*client.VertexLog{}}
}

// Status returns a redacted copy of st, a status of solve id (vertex
// digests repeat across solves): logs up to what can be shown yet, and
// what was held back for a vertex that completes in st.
func (s *LogStream) Status(id string, st *client.SolveStatus) *client.SolveStatus {
	r := s.r
	if r == nil || r.r == nil || st == nil {
		return st
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := r.vertexes(st)
	for _, l := range st.Logs {
		k := logKey{id, l.Vertex, l.Stream}
		data := l.Data
		if h := s.held[k]; h != nil {
			data = append(h.Data, l.Data...)
		}
		cut := r.safeCut(data)
		if cut > 0 {
			c := *l
			c.Data = []byte(r.String(string(data[:cut])))
			out.Logs = append(out.Logs, &c)
		}
		s.hold(k, l, data[cut:])
	}
	for _, v := range st.Vertexes {
		if v.Completed != nil {
			for _, stream := range []int{1, 2} {
				out.Logs = append(out.Logs, s.release(logKey{id, v.Digest, stream})...)
			}
		}
	}
	return out
}

// HeldLog is a log that a stream held back, with its solve's id.
type HeldLog struct {
	Solve string
	Log   *client.VertexLog
}

// Flush returns, redacted, what every stream still holds (at the end of
// the run: vertices that never completed), ordered by solve, vertex and
// stream.
func (s *LogStream) Flush() []HeldLog {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []HeldLog
	for _, k := range slices.SortedFunc(maps.Keys(s.held), compareLogKeys) {
		for _, l := range s.release(k) {
			out = append(out, HeldLog{Solve: k.solve, Log: l})
		}
	}
	return out
}

func compareLogKeys(a, b logKey) int {
	return cmp.Or(strings.Compare(a.solve, b.solve), strings.Compare(string(a.vertex), string(b.vertex)), cmp.Compare(a.stream, b.stream))
}

// hold keeps rest, what follows the part of l shown, for the stream's
// next chunk.
func (s *LogStream) hold(k logKey, l *client.VertexLog, rest []byte) {
	if len(rest) == 0 {
		delete(s.held, k)
		return
	}
	c := *l
	c.Data = slices.Clone(rest)
	s.held[k] = &c
}

func (s *LogStream) release(k logKey) []*client.VertexLog {
	h := s.held[k]
	if h == nil {
		return nil
	}
	delete(s.held, k)
	h.Data = []byte(s.r.String(string(h.Data)))
	return []*client.VertexLog{h}
}

// safeCut is how much of data can be redacted and shown now: up to its
// last newline; none of a shorter unfinished line; and of a line longer
// than the limit, all but a tail as long as the longest secret less one,
// moved back to the start of any secret that spans the cut.
func (r *Redactor) safeCut(data []byte) int {
	if i := bytes.LastIndexByte(data, '\n'); i >= 0 {
		return i + 1
	}
	if len(data) <= max(maxHeld, 2*r.longest) {
		return 0
	}
	cut := len(data) - (r.longest - 1)
	for moved := true; moved; {
		moved = false
		for _, p := range r.patterns {
			from := max(0, cut-len(p)+1)
			if i := bytes.Index(data[from:], []byte(p)); i >= 0 && from+i < cut && from+i+len(p) > cut {
				cut, moved = from+i, true
			}
		}
	}
	return cut
}
