package executor

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/opencontainers/go-digest"
)

func TestRedactor(t *testing.T) {
	r := NewRedactor([]string{"hunter22", "", "ab", "line-one\nline-two\n"})
	if got := r.String("pw=hunter22 ab line-two"); got != "pw=**** ab ****" {
		t.Errorf("String = %q", got)
	}
	base := errors.New("failed: hunter22")
	err := r.Error(base)
	if err.Error() != "failed: ****" || !errors.Is(err, base) {
		t.Errorf("Error = %v", err)
	}
	st := &client.SolveStatus{Logs: []*client.VertexLog{{Data: []byte("echo hunter22\n")}}, Vertexes: []*client.Vertex{{Name: "RUN x hunter22"}}}
	got := r.Logs().Status("a", st)
	if string(got.Logs[0].Data) != "echo ****\n" || got.Vertexes[0].Name != "RUN x ****" || string(st.Logs[0].Data) != "echo hunter22\n" {
		t.Errorf("Status: %q %q (original %q)", got.Logs[0].Data, got.Vertexes[0].Name, st.Logs[0].Data)
	}
}

// A step's output reaches xbake in chunks of BuildKit's choosing: a
// secret cut in two by them is hidden all the same, whatever the cut,
// in lines of any length, with several solves and streams interleaved.
func TestLogStreamSecretAcrossChunks(t *testing.T) {
	long := strings.Repeat("S3cr3t-", 10<<10) // 70 KiB, one line
	r := NewRedactor([]string{"TopSecretSmallFile42", long})
	pad := strings.Repeat("x", 32760)
	for _, tc := range []struct {
		name, out string
		chunk     int
	}{
		{"small secret after 32 KiB", pad + "TopSecretSmallFile42\nnext\n", 32 << 10},
		{"small secret cut every byte", "a TopSecretSmallFile42 b\n", 1},
		{"long secret, no newline", pad + long + pad, 32 << 10},
		{"long secret in odd chunks", "<" + long + ">\n", 4099},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ls := r.Logs()
			v := digest.FromString("step")
			var shown strings.Builder
			show := func(logs []*client.VertexLog, solve string) {
				for _, l := range logs {
					if solve == "a" && l.Stream == 1 {
						shown.Write(l.Data)
					}
				}
			}
			for i := 0; i < len(tc.out); i += tc.chunk {
				data := tc.out[i:min(i+tc.chunk, len(tc.out))]
				// The same vertex of another solve, and stderr, in between.
				st := &client.SolveStatus{Logs: []*client.VertexLog{
					{Vertex: v, Stream: 1, Data: []byte(data)},
					{Vertex: v, Stream: 2, Data: []byte("TopSecret")},
				}}
				show(ls.Status("a", st).Logs, "a")
				ls.Status("b", &client.SolveStatus{Logs: []*client.VertexLog{{Vertex: v, Stream: 1, Data: []byte("SmallFile42")}}})
			}
			now := time.Now()
			show(ls.Status("a", &client.SolveStatus{Vertexes: []*client.Vertex{{Digest: v, Completed: &now}}}).Logs, "a")
			for _, h := range ls.Flush() {
				show([]*client.VertexLog{h.Log}, h.Solve)
			}
			want := r.String(tc.out)
			if got := shown.String(); got != want {
				t.Errorf("shown %d bytes, want %d; secret shown: %v", len(got), len(want),
					strings.Contains(got, "TopSecretSmallFile42") || strings.Contains(got, long[:64]))
			}
		})
	}
}

// Without secrets, logs pass through as they come, nothing held back.
func TestLogStreamWithoutSecrets(t *testing.T) {
	st := &client.SolveStatus{Logs: []*client.VertexLog{{Data: []byte("no newline yet")}}}
	if got := NewRedactor(nil).Logs().Status("a", st); got != st {
		t.Errorf("Status changed a status without secrets: %v", got)
	}
}
