package executortest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Shims stand in for `ssh` and `kubectl`, which BuildKit's and docker's
// connection helpers run: there is no remote host or cluster here. Each
// logs its arguments, one call per line, and then does what the remote
// side would do, on this machine: run `buildctl dial-stdio` (or `docker
// system dial-stdio`) against the stack's daemons.
type Shims struct {
	Dir string // on PATH, first
	Log string
}

// NewShims puts a folder of shims first on PATH for the rest of the test
// (the helpers run them with the process's environment), holding the
// stack's buildctl.
func NewShims(t testing.TB) *Shims {
	t.Helper()
	s := &Shims{Dir: t.TempDir()}
	s.Log = filepath.Join(s.Dir, "calls.log")
	buildctl := filepath.Join(filepath.Dir(envOr("XBAKE_BUILDKITD", buildkitdPaths.bin)), "buildctl")
	if _, err := os.Stat(buildctl); err != nil {
		unavailable(t, "buildctl next to buildkitd: "+err.Error())
		return s
	}
	if err := os.Symlink(buildctl, filepath.Join(s.Dir, "buildctl")); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", s.Dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	return s
}

// SSH installs `ssh`: it runs the remote command (what follows "--" and
// the host) with sh -c, as sshd would, with remoteEnv ("K=V") set.
func (s *Shims) SSH(t testing.TB, remoteEnv ...string) {
	t.Helper()
	s.write(t, "ssh", fmt.Sprintf(`while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift 2
exec env %s sh -c "$*"
`, shellQuote(remoteEnv...)))
}

// Kubectl installs `kubectl`: `get pods` prints pods (a PodList as JSON),
// `exec` bridges to the BuildKit daemon at addr.
func (s *Shims) Kubectl(t testing.TB, pods, addr string) {
	t.Helper()
	podsFile := filepath.Join(s.Dir, "pods.json")
	if err := os.WriteFile(podsFile, []byte(pods), 0o644); err != nil {
		t.Fatal(err)
	}
	s.write(t, "kubectl", fmt.Sprintf(`case " $* " in
*" get pods "*) exec cat %s ;;
*" exec "*) exec buildctl --addr %s dial-stdio ;;
esac
echo "kubectl shim: unexpected call" >&2
exit 1
`, shellQuote(podsFile), shellQuote(addr)))
}

// Calls returns the logged calls of one shim, in order.
func (s *Shims) Calls(t testing.TB, name string) []string {
	t.Helper()
	dt, err := os.ReadFile(s.Log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	var out []string
	for _, l := range strings.Split(string(dt), "\n") {
		if strings.HasPrefix(l, name+" ") {
			out = append(out, l)
		}
	}
	return out
}

func (s *Shims) write(t testing.TB, name, body string) {
	t.Helper()
	script := fmt.Sprintf("#!/bin/sh\necho %s \"$*\" >> %s\n%s", name, shellQuote(s.Log), body)
	if err := os.WriteFile(filepath.Join(s.Dir, name), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func shellQuote(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
	}
	return strings.Join(q, " ")
}
