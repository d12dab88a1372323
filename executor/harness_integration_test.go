package executor_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// run is one real run against the stack, with its logs captured.
type run struct {
	t        *testing.T
	env      executortest.StackEnv
	dir      string // working directory: contexts and outputs
	builders []executor.BuilderConfig
	exec     executor.Executor
	bkOpt    executor.BuildKitOptions
	registry executor.IndexPusher
	// nodeTimeout is the scheduler's (0: the default).
	nodeTimeout time.Duration

	mu     sync.Mutex
	logs   strings.Builder // every vertex name, status and log line
	bk     *executor.BuildKit
	stdout bytes.Buffer // outputs with dest=-
}

func newRun(t *testing.T) *run {
	t.Helper()
	env := executortest.Stack(t)
	r := &run{t: t, env: env, dir: t.TempDir()}
	r.builders = []executor.BuilderConfig{{Name: "local", Endpoint: env.BuildKitHost}}
	r.registry = oci.NewClient(oci.WithRetries(0))
	// Tests count what they push; buildx's default provenance (an
	// attestation manifest per image) is tested on its own.
	r.bkOpt.Getenv = func(k string) string {
		if k == "BUILDX_NO_DEFAULT_ATTESTATIONS" {
			return "1"
		}
		return os.Getenv(k)
	}
	return r
}

// file writes a file of the run's working directory.
func (r *run) file(name, content string) string {
	r.t.Helper()
	p := filepath.Join(r.dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		r.t.Fatal(err)
	}
	return p
}

// build runs p with a generous timeout and returns the report and error.
func (r *run) build(p *plan.Plan) (*executor.Report, error) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	return r.run(ctx, p)
}

// run runs p and returns the report and error.
func (r *run) run(ctx context.Context, p *plan.Plan) (*executor.Report, error) {
	r.t.Helper()
	bs, err := executor.Connect(ctx, r.builders)
	if err != nil {
		r.t.Fatal(err)
	}
	defer bs.Close()
	opt := r.bkOpt
	opt.WorkDir = r.dir
	opt.Stdout = &r.stdout
	bk, err := executor.NewBuildKit(ctx, bs, p, opt)
	if err != nil {
		return nil, err
	}
	r.bk = bk
	defer bk.Close()
	sch := executor.NewScheduler(p, bs.Farm(), r.nodeTimeout)
	sch.Watch(ctx)
	defer sch.Close()
	e := r.exec
	e.Scheduler = sch
	e.Solver = bk
	e.Publisher = &executor.Merger{Registry: r.registry, WorkDir: r.dir, Stdout: &r.stdout}
	e.Events = func(ev executor.Event) {
		if r.exec.Events != nil {
			r.exec.Events(ev)
		}
		if ev.Kind != executor.EventProgress {
			return
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		writeStatus(&r.logs, ev.Node.ID, ev.Status)
	}
	rep, err := e.Run(ctx, p)
	if rep != nil {
		err = errors.Join(err, bk.Commit(rep))
	}
	return rep, err
}

func writeStatus(w *strings.Builder, id string, st *client.SolveStatus) {
	for _, v := range st.Vertexes {
		w.WriteString("[" + id + "] " + v.Name + " " + v.Error + "\n")
	}
	for _, l := range st.Logs {
		w.WriteString("[" + id + "] " + string(l.Data))
	}
	for _, s := range st.Statuses {
		w.WriteString("[" + id + "] " + s.ID + "\n")
	}
}

func (r *run) output() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.logs.String()
}

// target returns a target whose context is the run's directory.
func (r *run) target(name string, platforms []string, dockerfile string, outputs ...*bake.Export) *bake.Target {
	ctx := "."
	df := r.file(name+".Dockerfile", dockerfile)
	return &bake.Target{Name: name, Context: &ctx, Dockerfile: &df, Platforms: platforms, Outputs: outputs}
}

func ptr[T any](v T) *T { return &v }

func mustStatus(t *testing.T, rep *executor.Report, want map[string]executor.Status) {
	t.Helper()
	if rep == nil {
		t.Fatal("no report")
	}
	got := map[string]executor.Status{}
	for _, n := range rep.Nodes {
		got[n.Node.ID] = n.Status
	}
	for id, st := range want {
		if got[id] != st {
			t.Errorf("%s: %s, want %s", id, got[id], st)
		}
	}
}
