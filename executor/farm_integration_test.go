package executor_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// Interrupting a run whose node stopped answering (SIGSTOP) ends it, and
// closes the sessions, the health checks and the connections, within a
// few seconds: nothing waits on the node.
func TestIntegrationCancelWithStoppedNode(t *testing.T) {
	r := newRun(t)
	d := executortest.StartDaemonProcess(t, "linux/amd64")
	r.builders = []executor.BuilderConfig{{Name: "frozen", Endpoint: d.Addr}}
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "a", Target: r.target("a", nil, "FROM "+r.env.Registry+"/xbake/busybox\nRUN sleep 30 && echo a\n")},
		executortest.PlanTarget{Name: "b", Target: r.target("b", nil, "FROM "+r.env.Registry+"/xbake/busybox\nRUN sleep 30 && echo b\n")},
	)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := r.run(ctx, p)
		done <- err
	}()
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(r.output(), "RUN sleep 30") {
		if time.Now().After(deadline) {
			t.Fatalf("the steps did not start:\n%s", r.output())
		}
		time.Sleep(100 * time.Millisecond)
	}
	d.Freeze(t)
	time.Sleep(500 * time.Millisecond)
	cancel()
	start := time.Now()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want canceled", err)
		}
		t.Logf("the run ended %s after the cancel", time.Since(start).Round(10*time.Millisecond))
	case <-time.After(5 * time.Second):
		t.Fatal("the run did not end within 5s of the cancel")
	}
}

// A node that does not answer at the start (stopped) is reported down
// after the timeout, with its remedy; the others connect.
func TestIntegrationConnectStoppedNode(t *testing.T) {
	env := executortest.Stack(t)
	d := executortest.StartDaemonProcess(t, "linux/amd64")
	d.Freeze(t)
	start := time.Now()
	bs, err := executor.ConnectWithin(context.Background(), []executor.BuilderConfig{
		{Name: "frozen", Endpoint: d.Addr}, {Name: "local", Endpoint: env.BuildKitHost},
	}, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	// Bounded by the timeout, not by the frozen node (which never
	// answers): three times it leaves a loaded machine room.
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("Connect took %s with a 2s timeout", took)
	}
	if len(bs.Nodes) != 1 || bs.Nodes[0].Name != "local" || len(bs.Down) != 1 {
		t.Fatalf("nodes %d, down %d", len(bs.Nodes), len(bs.Down))
	}
	var ne *builder.NodeError
	if !errors.As(bs.Down[0].Err, &ne) || !strings.Contains(bs.Down[0].Err.Error(), "it did not answer within 2s") {
		t.Errorf("down: %v", bs.Down[0].Err)
	}
}

// A stopped node has the whole timeout to answer when it is longer than
// gRPC's own 20 s handshake limit: its error says so, not that gRPC gave
// up reading the server's preface.
func TestIntegrationConnectStoppedNodeLongTimeout(t *testing.T) {
	env := executortest.Stack(t)
	d := executortest.StartDaemonProcess(t, "linux/amd64")
	d.Freeze(t)
	bs, err := executor.ConnectWithin(context.Background(), []executor.BuilderConfig{
		{Name: "frozen", Endpoint: d.Addr}, {Name: "local", Endpoint: env.BuildKitHost},
	}, 22*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer bs.Close()
	if len(bs.Down) != 1 {
		t.Fatalf("nodes %d, down %d", len(bs.Nodes), len(bs.Down))
	}
	if err := bs.Down[0].Err; !strings.Contains(err.Error(), "it did not answer within 22s") {
		t.Errorf("down: %v", err)
	}
}
