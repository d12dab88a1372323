package executor

import (
	"slices"
	"strings"

	"github.com/moby/buildkit/client"
)

// Redactor hides secret values from everything xbake shows or writes:
// progress lines, error messages, metadata. BuildKit never prints a
// secret by itself, but a build step may (`cat /run/secrets/x`), and a
// failing step's output ends up in its error.
type Redactor struct {
	r *strings.Replacer
}

// minSecretLen: shorter values would blank out ordinary text.
const minSecretLen = 4

// NewRedactor redacts values (empty and very short ones are ignored).
func NewRedactor(values []string) *Redactor {
	var pairs []string
	vs := slices.Clone(values)
	// Longest first, so that a secret containing another is hidden whole.
	slices.SortFunc(vs, func(a, b string) int { return len(b) - len(a) })
	for _, v := range slices.Compact(vs) {
		for _, line := range append([]string{v}, strings.Split(strings.TrimSpace(v), "\n")...) {
			if len(line) >= minSecretLen {
				pairs = append(pairs, line, "****")
			}
		}
	}
	if len(pairs) == 0 {
		return &Redactor{}
	}
	return &Redactor{r: strings.NewReplacer(pairs...)}
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

// Status returns a redacted copy of st (the original is not modified:
// the display may still hold it).
func (r *Redactor) Status(st *client.SolveStatus) *client.SolveStatus {
	if r == nil || r.r == nil || st == nil {
		return st
	}
	out := &client.SolveStatus{Statuses: st.Statuses, Warnings: st.Warnings}
	for _, v := range st.Vertexes {
		c := *v
		c.Name, c.Error = r.String(c.Name), r.String(c.Error)
		out.Vertexes = append(out.Vertexes, &c)
	}
	for _, l := range st.Logs {
		c := *l
		c.Data = []byte(r.String(string(l.Data)))
		out.Logs = append(out.Logs, &c)
	}
	return out
}
