package main

import (
	"crypto/rand"
	"encoding/hex"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/xbake/xbake/executor/executortest"
)

// summaryRows returns "NODE STATUS CACHED/STEPS" of each summary row.
func summaryRows(t *testing.T, out string) []string {
	t.Helper()
	_, table, ok := strings.Cut(out, "\nNODE ")
	if !ok {
		t.Fatalf("no summary:\n%s", out)
	}
	var rows []string
	for _, line := range strings.Split(table, "\n")[1:] {
		f := strings.Fields(line)
		if len(f) < 6 {
			break
		}
		rows = append(rows, f[0]+" "+f[2]+" "+f[5])
	}
	return rows
}

// progressIDs maps each step of plain progress that contains marker to
// the "#N" ids it was printed under.
func progressIDs(out, marker string) map[string][]string {
	ids := map[string][]string{}
	for _, m := range regexp.MustCompile(`(?m)^(#\d+) (\[[^\]]+\] .*)$`).FindAllStringSubmatch(out, -1) {
		if strings.Contains(m[2], marker) && !slices.Contains(ids[m[2]], m[1]) {
			ids[m[2]] = append(ids[m[2]], m[1])
		}
	}
	return ids
}

// The report tells the truth on a real daemon: a dependency's steps are
// its own (not counted or shown again under its dependents), and two
// identical warm runs report the same counts, every solve "cached".
func TestRunReportOwnSteps(t *testing.T) {
	env := executortest.Stack(t)
	dir := t.TempDir()
	var b [6]byte
	rand.Read(b[:])
	token := hex.EncodeToString(b[:]) // a cold cache for the steps below
	writeFile(t, filepath.Join(dir, "xbuild.hcl"), `
target "base" {
  dockerfile-inline = "FROM `+env.Registry+`/xbake/busybox\nRUN echo base-`+token+` > /f\n"
  output = ["type=cacheonly"]
}
target "app" {
  name = "app${n}"
  matrix = { n = ["1", "2"] }
  dockerfile-inline = "FROM base\nRUN echo app${n}-`+token+` >> /f\n"
  contexts = { base = "target:base" }
  output = ["type=cacheonly"]
}
`)
	code, out := cliRun(t, dir, nil, "app1", "app2", "--progress=plain")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, out)
	}
	rows := summaryRows(t, out.String())
	var steps []string
	for _, r := range rows {
		f := strings.Fields(r)
		_, n, _ := strings.Cut(f[2], "/")
		steps = append(steps, f[0]+" "+n)
	}
	// base has FROM and RUN; each app only its RUN.
	if want := []string{"base@linux/amd64 2", "app1@linux/amd64 1", "app2@linux/amd64 1"}; !slices.Equal(steps, want) {
		t.Errorf("steps = %q, want %q\n%s", steps, want, out)
	}
	// base's RUN is printed once, under base; each app's RUN under its app.
	ids := progressIDs(out.String(), token)
	if len(ids) != 3 {
		t.Errorf("steps printed: %q, want base's and each app's RUN once\n%s", ids, out)
	}
	for name, n := range ids {
		owner := "[base@"
		if strings.Contains(name, "echo app") {
			owner = "[app" + name[strings.Index(name, "echo app")+8:][:1] + "@"
		}
		if len(n) != 1 || !strings.HasPrefix(name, owner) {
			t.Errorf("%q printed as %v, want once under %s…]", name, n, owner)
		}
	}

	var warm [][]string
	for range 2 {
		code, out := cliRun(t, dir, nil, "app1", "app2", "--progress=plain")
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		warm = append(warm, summaryRows(t, out.String()))
	}
	if want := []string{"base@linux/amd64 cached 2/2", "app1@linux/amd64 cached 1/1", "app2@linux/amd64 cached 1/1"}; !slices.Equal(warm[0], want) || !slices.Equal(warm[1], want) {
		t.Errorf("warm runs report %q and %q, want %q both times", warm[0], warm[1], want)
	}
}
