package executor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// A platform that fails must leave every tag as it was: the index is
// pushed only after all platforms succeeded.
func TestIntegrationFailedPlatformKeepsTag(t *testing.T) {
	r := newRun(t)
	repo := r.env.Repo(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	df := "FROM " + r.env.Registry + "/xbake/busybox\nARG V\nRUN echo $V > /v && if [ \"$V\" = bad ] && [ \"$(uname -m)\" = aarch64 ]; then echo arm64 breaks >&2; exit 3; fi\n"
	mk := func(v string) *executor.Report {
		tgt := r.target("app", plats, df, &bake.Export{Type: "registry"})
		tgt.Tags = []string{repo + ":v1"}
		tgt.Args = map[string]*string{"V": ptr(v)}
		p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
		rep, err := r.build(p)
		if v == "good" && err != nil {
			t.Fatalf("%v\n%s", err, r.output())
		}
		if v == "bad" {
			if err == nil || !strings.HasPrefix(err.Error(), "app@linux/arm64: ") {
				t.Fatalf("err = %v, want app@linux/arm64's build error", err)
			}
			if !executor.IsBuildError(err) || executor.IsTransient(err) {
				t.Errorf("a failing RUN must classify as a build error: %v", err)
			}
		}
		return rep
	}
	mk("good")
	before, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	rep := mk("bad")
	mustStatus(t, rep, map[string]executor.Status{"app@linux/arm64": executor.StatusFailed, "app#index": executor.StatusSkipped})
	after, err := oci.NewClient().Inspect(context.Background(), repo+":v1")
	if err != nil {
		t.Fatal(err)
	}
	if after.Digest != before.Digest {
		t.Errorf("tag moved from %s to %s after a failed platform", before.Digest, after.Digest)
	}
}

// Fail fast cancels independent work; keep-going finishes it and skips
// only the failed target's dependents.
func TestIntegrationFailFastAndKeepGoing(t *testing.T) {
	r := newRun(t)
	bb := "FROM " + r.env.Registry + "/xbake/busybox\n"
	plan := func() *executorPlan {
		slow := r.target("slow", nil, bb+"RUN sleep 3 && date > /t\n", &bake.Export{Type: "local", Dest: "slow-out"})
		slow.NoCache = ptr(true)
		return &executorPlan{
			executortest.PlanTarget{Name: "broken", Target: r.target("broken", nil, bb+"RUN exit 7\n")},
			executortest.PlanTarget{Name: "slow", Target: slow},
			executortest.PlanTarget{Name: "user", Links: map[string]string{"b": "broken"}, Target: r.target("user", nil, "FROM b\n")},
		}
	}
	// Fail fast: slow is canceled (or finished first, which fail fast
	// does not forbid); user never runs.
	start := time.Now()
	rep, err := r.build(executortest.NewPlan(*plan()...))
	if err == nil {
		t.Fatal("want an error")
	}
	mustStatus(t, rep, map[string]executor.Status{"broken@linux/amd64": executor.StatusFailed})
	st := statuses(rep)
	if st["user@linux/amd64"] == executor.StatusDone || st["slow@linux/amd64"] == executor.StatusDone && time.Since(start) < 3*time.Second {
		t.Errorf("fail fast: %v", st)
	}
	if st["slow@linux/amd64"] != executor.StatusCanceled {
		t.Logf("slow ended %s (it may finish before the failure)", st["slow@linux/amd64"])
	}

	r.exec.KeepGoing = true
	rep, err = r.build(executortest.NewPlan(*plan()...))
	var ee interface{ Unwrap() []error }
	if err == nil || !errors.As(err, &ee) && !strings.Contains(err.Error(), "broken@linux/amd64") {
		t.Fatalf("err = %v", err)
	}
	mustStatus(t, rep, map[string]executor.Status{
		"broken@linux/amd64": executor.StatusFailed,
		"slow@linux/amd64":   executor.StatusDone,
		"user@linux/amd64":   executor.StatusSkipped,
	})
}

type executorPlan []executortest.PlanTarget

// Cancellation stops every solve within seconds and publishes nothing.
func TestIntegrationCancel(t *testing.T) {
	r := newRun(t)
	repo := r.env.Repo(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, "FROM "+r.env.Registry+"/xbake/busybox\nRUN sleep 60\n", &bake.Export{Type: "registry"})
	tgt.Tags = []string{repo + ":v1"}
	tgt.NoCache = ptr(true)
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	canceledAt := make(chan time.Time, 1)
	go func() {
		// Cancel once both RUN steps have started.
		deadline := time.Now().Add(2 * time.Minute)
		for time.Now().Before(deadline) && strings.Count(r.output(), "RUN sleep 60") < 2 {
			time.Sleep(50 * time.Millisecond)
		}
		canceledAt <- time.Now()
		cancel()
	}()
	rep, err := r.run(ctx, p)
	took := time.Since(<-canceledAt)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want canceled", err)
	}
	// Nominally well under a second; 5 s is what a signal allows, and
	// leaves a loaded machine room for closing the sessions.
	if took > 5*time.Second {
		t.Errorf("run returned %s after cancel, want ≤ 5s", took)
	}
	mustStatus(t, rep, map[string]executor.Status{
		"app@linux/amd64": executor.StatusCanceled, "app@linux/arm64": executor.StatusCanceled, "app#index": executor.StatusCanceled,
	})
	if _, err := oci.NewClient().Inspect(context.Background(), repo+":v1"); err == nil {
		t.Error("a canceled run published its tag")
	}
}
