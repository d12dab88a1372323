package executor_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// BenchmarkFarm: 18 solves of `RUN sleep 2` over three nodes capped at
// max-parallelism = 2 each (and told so: max_parallelism 2), against one
// such node. Goal: at least 2.5 times faster (an ideal farm is 3 times).
// Then the same solves again with the node list reordered: every step
// should come from the cache of the node that built it (cached-%, goal
// 100), because each solve goes back to its home node.
func BenchmarkFarm(b *testing.B) {
	env := executortest.Stack(b)
	cfg := "[worker.oci]\n  max-parallelism = 2"
	var nodes []executor.BuilderConfig
	for i := range 3 {
		d := executortest.StartDaemonWith(b, executortest.DaemonOptions{Platforms: []string{"linux/amd64"}, Config: cfg})
		nodes = append(nodes, executor.BuilderConfig{Name: fmt.Sprintf("n%d", i+1), Endpoint: d.Addr, Capacity: 2})
	}
	dir := b.TempDir()
	df := filepath.Join(dir, "sleep.Dockerfile")
	if err := os.WriteFile(df, []byte("FROM "+env.Registry+"/xbake/busybox\nARG RUN\nARG N\nRUN sleep 2 && echo $RUN $N > /n\n"), 0o644); err != nil {
		b.Fatal(err)
	}
	newPlan := func(runID string) *plan.Plan {
		var ts []executortest.PlanTarget
		for i := range 18 {
			ctx := "."
			n, r := fmt.Sprint(i), runID
			ts = append(ts, executortest.PlanTarget{Name: fmt.Sprintf("s%02d", i),
				Target: &bake.Target{Context: &ctx, Dockerfile: &df, Args: map[string]*string{"N": &n, "RUN": &r}}})
		}
		return executortest.NewPlan(ts...)
	}
	run := func(cfgs []executor.BuilderConfig, p *plan.Plan) (time.Duration, *executor.Report) {
		ctx := context.Background()
		bs, err := executor.Connect(ctx, cfgs)
		if err != nil {
			b.Fatal(err)
		}
		defer bs.Close()
		p.Place(bs.PlanNodes())
		bk, err := executor.NewBuildKit(ctx, bs, p, executor.BuildKitOptions{WorkDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		defer bk.Close()
		sch := executor.NewScheduler(p, bs.Farm(), 0)
		sch.Watch(ctx)
		defer sch.Close()
		e := &executor.Executor{Solver: bk, Scheduler: sch}
		start := time.Now()
		rep, err := e.Run(ctx, p)
		if err != nil {
			b.Fatal(err)
		}
		return time.Since(start), rep
	}
	// Pull the base image onto every node first: it is not what is measured.
	run(nodes, newPlan("warm"))
	var one, three time.Duration
	cached, steps := 0, 0
	b.ResetTimer()
	for range b.N {
		id := make([]byte, 6)
		rand.Read(id)
		runID := hex.EncodeToString(id)
		d, _ := run(nodes[:1], newPlan(runID+"-one"))
		one += d
		d, _ = run(nodes, newPlan(runID))
		three += d
		_, rep := run([]executor.BuilderConfig{nodes[2], nodes[0], nodes[1]}, newPlan(runID))
		for _, nr := range rep.Nodes {
			cached += nr.Cached
			steps += nr.Steps
		}
	}
	b.ReportMetric(one.Seconds()/float64(b.N), "one-node-s/op")
	b.ReportMetric(three.Seconds()/float64(b.N), "three-nodes-s/op")
	b.ReportMetric(float64(one)/float64(three), "speedup")
	b.ReportMetric(100*float64(cached)/float64(max(steps, 1)), "reordered-cached-%")
}
