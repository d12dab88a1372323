package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/progress/progressui"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/plan"
)

// Two nodes that report the same digest (the same step on two builders)
// keep their own lines, each prefixed with its node ID, and secrets are
// redacted.
func TestProgressPrefixesAndRedacts(t *testing.T) {
	var out bytes.Buffer
	p, err := newProgress(context.Background(), &out, progressui.PlainMode, executor.NewRedactor([]string{"topsecret"}))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	shared := digest.FromString("shared vertex")
	for _, id := range []string{"app@linux/amd64", "app@linux/arm64"} {
		n := &plan.Node{ID: id}
		p.event(executor.Event{Kind: executor.EventProgress, Node: n, Status: &client.SolveStatus{
			Vertexes: []*client.Vertex{{Digest: shared, Name: "[1/2] RUN echo topsecret", Started: &now}},
		}})
		p.event(executor.Event{Kind: executor.EventProgress, Node: n, Status: &client.SolveStatus{
			Logs:     []*client.VertexLog{{Vertex: shared, Data: []byte("printed topsecret\n"), Timestamp: now}},
			Vertexes: []*client.Vertex{{Digest: shared, Name: "[1/2] RUN echo topsecret", Started: &now, Completed: &now}},
		}})
	}
	p.close()
	s := out.String()
	for _, want := range []string{"[app@linux/amd64] [1/2] RUN echo ****", "[app@linux/arm64] [1/2] RUN echo ****", "printed ****"} {
		if !strings.Contains(s, want) {
			t.Errorf("progress lacks %q:\n%s", want, s)
		}
	}
	if strings.Contains(s, "topsecret") {
		t.Errorf("secret shown:\n%s", s)
	}
}

// With several builder nodes, a solve's lines name the node it runs on,
// and a move says why.
func TestProgressNamesNode(t *testing.T) {
	var out bytes.Buffer
	p, err := newProgress(context.Background(), &out, progressui.PlainMode, executor.NewRedactor(nil))
	if err != nil {
		t.Fatal(err)
	}
	p.nodes = 2
	now := time.Now()
	n := &plan.Node{ID: "app@linux/arm64"}
	p.event(executor.Event{Kind: executor.EventProgress, Node: n, Builder: "arm1", Status: &client.SolveStatus{
		Vertexes: []*client.Vertex{{Digest: digest.FromString("v"), Name: "[1/2] RUN make", Started: &now, Completed: &now}},
	}})
	p.event(executor.Event{Kind: executor.EventMoved, Node: n, Err: &executor.NodeLostError{Node: "arm1", Reason: errTest("it refuses connections")}})
	p.close()
	for _, want := range []string{"[app@linux/arm64 on arm1] [1/2] RUN make", "[app@linux/arm64] moving to another node: builder node arm1 was lost: it refuses connections"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("progress lacks %q:\n%s", want, out.String())
		}
	}
}

type errTest string

func (e errTest) Error() string { return string(e) }
