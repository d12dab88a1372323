package executor_test

import (
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

func TestCheckStdout(t *testing.T) {
	out := func(typ, dest string, attrs ...string) *bake.Export {
		e := &bake.Export{Type: typ, Dest: dest, Attrs: map[string]string{}}
		for i := 0; i+1 < len(attrs); i += 2 {
			e.Attrs[attrs[i]] = attrs[i+1]
		}
		return e
	}
	target := func(name string, plats []string, merge bool, outs ...*bake.Export) executortest.PlanTarget {
		return executortest.PlanTarget{Name: name, Platforms: plats, Merge: merge, Target: &bake.Target{Outputs: outs}}
	}
	check := "check"
	call := executortest.PlanTarget{Name: "lint", Target: &bake.Target{Call: &check}}
	two := []string{"linux/amd64", "linux/arm64"}
	for _, tc := range []struct {
		name    string
		targets []executortest.PlanTarget
		noOut   bool // the run has no stdout
		want    string
	}{
		{"one tar", []executortest.PlanTarget{target("app", nil, false, out("tar", "-"))}, false, ""},
		{"one merged oci", []executortest.PlanTarget{target("app", two, true, out("oci", "-"))}, false, ""},
		{"a file and stdout", []executortest.PlanTarget{target("app", nil, false, out("tar", "-"), out("docker", "app.tar"))}, false, ""},
		{"two targets", []executortest.PlanTarget{target("a", nil, false, out("tar", "-")), target("b", nil, false, out("docker", "-"))}, false,
			"several outputs write to standard output (dest=-): a@linux/amd64 (type=tar), b@linux/amd64 (type=docker); one tarball at most can go there: set dest to a file for the others"},
		{"docker per platform", []executortest.PlanTarget{target("app", two, false, out("docker", "-"))}, false,
			"several outputs write to standard output (dest=-): app@linux/amd64 (type=docker), app@linux/arm64 (type=docker); one tarball at most can go there: set dest to a file for the others"},
		{"two outputs of one target", []executortest.PlanTarget{target("app", two, true, out("oci", "-"), out("tar", "-"))}, false,
			"several outputs write to standard output (dest=-): app#index (type=oci), app#index (type=tar); one tarball at most can go there: set dest to a file for the others"},
		{"local", []executortest.PlanTarget{target("app", nil, false, out("local", "-"))}, false,
			"app@linux/amd64: output type=local writes a directory, which cannot go to standard output (dest=-): set dest to a folder"},
		{"oci directory", []executortest.PlanTarget{target("app", two, true, out("oci", "-", "tar", "false"))}, false,
			"app#index: output type=oci writes a directory, which cannot go to standard output (dest=-): set dest to a folder"},
		{"call results", []executortest.PlanTarget{call, target("app", nil, false, out("tar", "-"))}, false,
			"lint@linux/amd64 prints its --call result to standard output, where app@linux/amd64 (type=tar) writes a tarball (dest=-): build them in separate runs, or set dest to a file"},
		{"no stdout", []executortest.PlanTarget{target("app", nil, false, out("tar", "-"))}, true,
			"app@linux/amd64 (type=tar): output dest=- writes to standard output, which this run does not have"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := executor.CheckStdout(executortest.NewPlan(tc.targets...), !tc.noOut)
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("error = %v, want none", err)
			case tc.want != "" && (err == nil || err.Error() != tc.want):
				t.Errorf("error = %v\nwant %s", err, tc.want)
			}
		})
	}
}
