package executor_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor/executortest"
)

// A target's resources are the cgroup limits its RUN steps run under:
// the step reads its own cgroup's memory and CPU limits back (cgroup v2's
// files, or v1's, as the host has).
func TestIntegrationResources(t *testing.T) {
	r := newRun(t)
	cpus := int64(50000)
	app := r.target("app", nil, fmt.Sprintf(`FROM %s/xbake/busybox
RUN cd /sys/fs/cgroup && if [ -f memory.max ]; then cat memory.max cpu.max; \
    else cat memory/memory.limit_in_bytes cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us; fi > /limits
`, r.env.Registry), &bake.Export{Type: "local", Dest: "out"})
	app.Resources = &bake.Resources{Memory: ptr("64m"), CPUQuota: &cpus, CPUPeriod: ptr(int64(100000))}
	// Limits are not part of BuildKit's cache key: a cached step would
	// show the limits of the run that made it.
	app.NoCache = ptr(true)
	if _, err := r.build(executortest.NewPlan(executortest.PlanTarget{Name: "app", Target: app})); err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	dt, err := os.ReadFile(filepath.Join(r.dir, "out", "limits"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Fields(string(dt)), []string{"67108864", "50000", "100000"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("the step's memory and CPU limits = %q, want %q", got, want)
	}
}
