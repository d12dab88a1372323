package bake_test

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

var errorMarker = regexp.MustCompile(`#\s*(ERROR|WARNING):\s*(.+?)\s*$`)

// TestErrorFiles loads every testdata/errors/*.hcl and resolves all its
// targets. Each line that must produce a diagnostic ends with
// "# ERROR: Summary" (or "# WARNING: Summary"); the test compares the
// diagnostics found, line by line, with the markers.
func TestErrorFiles(t *testing.T) {
	names, _ := filepath.Glob("testdata/errors/*.hcl")
	if len(names) == 0 {
		t.Fatal("no error fixtures")
	}
	for _, name := range names {
		t.Run(filepath.Base(name), func(t *testing.T) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			want := markers(src)
			files, _, diags := xhcl.Parse([]xhcl.File{{Name: name, Data: src}})
			if !diags.HasErrors() {
				cfg, d := bake.Load(files, bake.Options{Vars: varsFromHeader(src)})
				diags = append(diags, d...)
				_, d = cfg.Resolve(bake.Request{Targets: cfg.TargetNames()})
				diags = append(diags, d...)
			}
			got := map[int][]string{}
			for _, d := range xhcl.Sorted(diags) {
				if d.Subject == nil {
					t.Errorf("diagnostic without a position: %s: %s", d.Summary, d.Detail)
					continue
				}
				sev := "ERROR"
				if d.Severity == hcl.DiagWarning {
					sev = "WARNING"
				}
				got[d.Subject.Start.Line] = append(got[d.Subject.Start.Line], sev+": "+d.Summary)
			}
			for _, l := range got {
				sort.Strings(l)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				var all bytes.Buffer
				xhcl.WriteDiagnostics(&all, diags, xhcl.FormatCompact, nil, 0, false)
				t.Errorf("diagnostics by line (-want +got):\n%s\nall:\n%s", diff, all.String())
			}
		})
	}
}

func markers(src []byte) map[int][]string {
	out := map[int][]string{}
	sc := bufio.NewScanner(bytes.NewReader(src))
	for line := 1; sc.Scan(); line++ {
		if m := errorMarker.FindStringSubmatch(sc.Text()); m != nil {
			for _, s := range strings.Split(m[2], " ; ") {
				out[line] = append(out[line], fmt.Sprintf("%s: %s", m[1], s))
			}
			sort.Strings(out[line])
		}
	}
	return out
}

// varsFromHeader reads "# VAR NAME=value" lines, for fixtures that need
// --var overrides.
func varsFromHeader(src []byte) map[string]string {
	vars := map[string]string{}
	for _, l := range strings.Split(string(src), "\n") {
		if rest, ok := strings.CutPrefix(l, "# VAR "); ok {
			k, v, _ := strings.Cut(rest, "=")
			vars[k] = v
		}
	}
	return vars
}
