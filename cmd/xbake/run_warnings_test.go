package main

import (
	"testing"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/solver/pb"
	"github.com/opencontainers/go-digest"

	"github.com/xbake/xbake/executor"
)

// The per-platform solves of a target report the same warnings with
// their own vertices; the metadata file keeps each once, in order.
func TestWarningsDeduplicated(t *testing.T) {
	src := &pb.SourceInfo{Filename: "Dockerfile", Data: []byte("frOM x\n")}
	warn := func(vertex, short string, line int32) *client.VertexWarning {
		return &client.VertexWarning{Vertex: digest.Digest("sha256:" + vertex), Level: 1, Short: []byte(short), SourceInfo: src,
			Range: []*pb.Range{{Start: &pb.Position{Line: line}, End: &pb.Position{Line: line}}}}
	}
	w := &warnings{}
	var passed int
	ev := w.wrap(func(executor.Event) { passed++ })
	ev(executor.Event{Kind: executor.EventProgress, Status: &client.SolveStatus{Warnings: []*client.VertexWarning{warn("a", "casing", 1), warn("a", "casing", 3)}}})
	ev(executor.Event{Kind: executor.EventProgress, Status: &client.SolveStatus{Warnings: []*client.VertexWarning{warn("b", "casing", 1), warn("b", "other", 1)}}})
	ev(executor.Event{Kind: executor.EventStarted})
	got := w.all()
	if passed != 3 || len(got) != 3 || string(got[2].Short) != "other" || got[1].Range[0].Start.Line != 3 {
		t.Errorf("passed %d events; kept %d warnings: %+v", passed, len(got), got)
	}
}
