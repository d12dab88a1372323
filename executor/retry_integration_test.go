package executor_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/executor/oci/ocitest"
)

// fastRegistry retries quickly, so that tests through faults stay short.
func fastRegistry() *oci.Client {
	return oci.NewClient(oci.WithRetries(3), oci.WithBackoff(oci.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}))
}

// pushTarget is a two-platform target pushed through proxy p, which the
// daemon reaches over plain HTTP.
func pushTarget(r *run, p *ocitest.Proxy, tags ...string) *bake.Target {
	repo := p.Swap(r.env.Repo(r.t))
	tgt := r.target("app", []string{"linux/amd64", "linux/arm64"}, archDockerfile(r.env.Registry),
		&bake.Export{Type: "registry", Attrs: map[string]string{"registry.insecure": "true"}})
	for _, tag := range tags {
		tgt.Tags = append(tgt.Tags, repo+":"+tag)
	}
	return tgt
}

// retries records the node retries of a run.
type retries struct {
	mu   sync.Mutex
	errs []string
	then func() // called at each retry
}

func (rs *retries) event(ev executor.Event) {
	if ev.Kind != executor.EventRetry {
		return
	}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	rs.errs = append(rs.errs, ev.Node.ID+": "+ev.Err.Error())
	if rs.then != nil {
		rs.then()
	}
}

func (rs *retries) list() []string {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	return append([]string(nil), rs.errs...)
}

// A registry that refuses twice, then accepts: the run succeeds through
// retries, for the per-platform pushes (BuildKit) and the index push.
func TestIntegrationRetriesTransientRegistryErrors(t *testing.T) {
	r := newRun(t)
	// BuildKit's pusher retries 5xx itself (with backoff, so more
	// refusals only slow the test down) and the registry client retries
	// the index push.
	p := ocitest.NewProxy(t, r.env.Registry, ocitest.Rule{Method: "PUT", Path: "/manifests/", Fault: ocitest.Unavailable, Times: 2})
	tgt := pushTarget(r, p, "v1")
	r.exec.Retries, r.exec.Backoff = 3, 100*time.Millisecond
	r.registry = fastRegistry()
	rs := &retries{}
	r.exec.Events = rs.event
	plan := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: tgt.Platforms, Merge: true, Target: tgt})
	if _, err := r.build(plan); err != nil {
		t.Fatalf("%v\nretries: %v", err, rs.list())
	}
	if got := p.Injected(); len(got) != 2 {
		t.Errorf("the proxy refused %d requests, want 2: %v", len(got), got)
	}
	ins, err := oci.NewClient().Inspect(context.Background(), strings.Replace(tgt.Tags[0], p.Host, r.env.Registry, 1))
	if err != nil || len(ins.Manifests) != 2 {
		t.Fatalf("inspect: %v", err)
	}

	// The index push alone: the oci client's retries absorb 503s.
	p2 := ocitest.NewProxy(t, r.env.Registry, ocitest.Rule{Method: "PUT", Path: "/manifests/", Fault: ocitest.Unavailable, Times: 2})
	src := strings.Replace(tgt.Tags[0], p.Host, p2.Host, 1)
	if _, err = fastRegistry().Create(context.Background(), []string{strings.TrimSuffix(src, ":v1") + ":v2"}, []string{src}, nil); err != nil || len(p2.Injected()) != 2 {
		t.Errorf("index push through 2 refusals: %v (refused %d)", err, len(p2.Injected()))
	}
}

// When the daemon's own retries of a per-platform push are used up, the
// error that reaches xbake is text; a 503 or 500 in the registry's JSON
// form (which BuildKit reduces to "failed to push REF: unavailable") must
// still make the node run again, as an HTML 503 does. The proxy refuses
// every per-platform manifest until the first node retry.
func TestIntegrationRetriesPushAfterDaemonGivesUp(t *testing.T) {
	for _, tc := range []struct {
		fault ocitest.Fault
		want  string // in the retried error
	}{
		{ocitest.Unavailable, ": unavailable"},
		{ocitest.Unknown, ": unknown"},
	} {
		t.Run(string(tc.fault), func(t *testing.T) {
			r := newRun(t)
			p := ocitest.NewProxy(t, r.env.Registry, ocitest.Rule{Method: "PUT", Path: "/manifests/sha256:", Fault: tc.fault})
			tgt := pushTarget(r, p, "v1")
			r.exec.Retries, r.exec.Backoff = 2, 100*time.Millisecond
			r.registry = fastRegistry()
			rs := &retries{then: p.Clear}
			r.exec.Events = rs.event
			plan := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: tgt.Platforms, Merge: true, Target: tgt})
			_, err := r.build(plan)
			got := rs.list()
			t.Logf("%d faults injected; node retries: %q", len(p.Injected()), got)
			if err != nil {
				t.Fatalf("the run failed: %v", err)
			}
			if len(got) == 0 || !strings.Contains(got[0], tc.want) {
				t.Fatalf("node retries %q, want one after %q", got, tc.want)
			}
			ins, err := oci.NewClient().Inspect(context.Background(), strings.Replace(tgt.Tags[0], p.Host, r.env.Registry, 1))
			if err != nil || len(ins.Manifests) != 2 {
				t.Fatalf("inspect: %v", err)
			}
		})
	}
}
