package executor_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// BenchmarkOverhead runs the same small solves (8 independent targets,
// cached after the first round) through the executor and straight through
// the BuildKit client, and reports xbake's share of the wall time. Goal:
// ≤ 5% or ≤ 200 ms.
func BenchmarkOverhead(b *testing.B) {
	env := executortest.Stack(b)
	dir := b.TempDir()
	const n = 8
	df := func(i int) string {
		return fmt.Sprintf("FROM %s/xbake/busybox\nRUN echo bench-%d > /f\n", env.Registry, i)
	}
	var targets []executortest.PlanTarget
	for i := range n {
		name := fmt.Sprintf("t%d", i)
		path := filepath.Join(dir, name+".Dockerfile")
		if err := os.WriteFile(path, []byte(df(i)), 0o644); err != nil {
			b.Fatal(err)
		}
		ctxDir := "."
		targets = append(targets, executortest.PlanTarget{Name: name, Target: &bake.Target{Name: name, Context: &ctxDir, Dockerfile: &path}})
	}
	p := executortest.NewPlan(targets...)
	ctx := context.Background()

	viaExecutor := func() time.Duration {
		start := time.Now()
		bs, err := executor.Connect(ctx, []executor.BuilderConfig{{Name: "local", Endpoint: env.BuildKitHost}})
		if err != nil {
			b.Fatal(err)
		}
		bk, err := executor.NewBuildKit(ctx, bs, p, executor.BuildKitOptions{WorkDir: dir})
		if err != nil {
			b.Fatal(err)
		}
		e := &executor.Executor{Solver: bk, Events: func(executor.Event) {}}
		if _, err := e.Run(ctx, p); err != nil {
			b.Fatal(err)
		}
		bk.Close()
		bs.Close()
		return time.Since(start)
	}
	direct := func() time.Duration {
		start := time.Now()
		c, err := client.New(ctx, env.BuildKitHost)
		if err != nil {
			b.Fatal(err)
		}
		var eg errgroup.Group
		for _, n := range p.Nodes {
			eg.Go(func() error { return directSolve(ctx, c, dir, n) })
		}
		if err := eg.Wait(); err != nil {
			b.Fatal(err)
		}
		c.Close()
		return time.Since(start)
	}
	viaExecutor() // warm the cache
	direct()
	var tx, td time.Duration
	b.ResetTimer()
	for range b.N {
		tx += viaExecutor()
		td += direct()
	}
	b.ReportMetric(float64(tx.Milliseconds())/float64(b.N), "xbake-ms/op")
	b.ReportMetric(float64(td.Milliseconds())/float64(b.N), "direct-ms/op")
	b.ReportMetric(100*(float64(tx)-float64(td))/float64(td), "overhead-%")
}

func directSolve(ctx context.Context, c *client.Client, dir string, n *plan.Node) error {
	fs, err := fsutil.NewFS(dir)
	if err != nil {
		return err
	}
	t := n.Solve.Targets[0]
	ch := make(chan *client.SolveStatus)
	go func() {
		for range ch {
		}
	}()
	_, err = c.Solve(ctx, nil, client.SolveOpt{
		Frontend:      "dockerfile.v0",
		FrontendAttrs: map[string]string{"filename": filepath.Base(*t.Dockerfile), "platform": n.Platform},
		LocalMounts:   map[string]fsutil.FS{"context": fs, "dockerfile": fs},
	}, ch)
	return err
}
