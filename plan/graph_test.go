package plan_test

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/plan"
)

// oddPlan has IDs that need escaping in every format, and two IDs that
// sanitise to the same Mermaid identifier.
func oddPlan() *plan.Plan {
	solve := func(id string, exec plan.Exec, deps ...string) *plan.Node {
		return &plan.Node{ID: id, Kind: plan.KindSolve, Exec: exec, Deps: deps, Solve: &plan.Solve{}}
	}
	return &plan.Plan{Nodes: []*plan.Node{
		solve("a-b@linux/amd64", plan.ExecNative),
		solve("a_b@linux/amd64", plan.ExecEmulated),
		solve(`q"<&>\@linux/amd64`, "", "a-b@linux/amd64", "a_b@linux/amd64"),
		{ID: `q"<&>\#index`, Kind: plan.KindMerge, Deps: []string{`q"<&>\@linux/amd64`}, Merge: &plan.Merge{}},
	}}
}

func TestWriteGraphEscaping(t *testing.T) {
	tests := []struct {
		format, want string
	}{{
		format: "dot",
		want: `digraph plan {
  rankdir=LR;
  node [fontname="Helvetica", fontsize=11];
  "a-b@linux/amd64" [shape=box];
  "a_b@linux/amd64" [shape=box, style=dashed, label="a_b@linux/amd64\n(emulated)"];
  "q\"<&>\\@linux/amd64" [shape=box];
  "q\"<&>\\#index" [shape=hexagon];
  "a-b@linux/amd64" -> "q\"<&>\\@linux/amd64";
  "a_b@linux/amd64" -> "q\"<&>\\@linux/amd64";
  "q\"<&>\\@linux/amd64" -> "q\"<&>\\#index";
}
`,
	}, {
		format: "mermaid",
		want: "flowchart LR\n" +
			`  s_a_b_linux_amd64["a-b@linux/amd64"]` + "\n" +
			`  s_a_b_linux_amd64_2["a_b@linux/amd64 (emulated)"]:::emulated` + "\n" +
			`  s_q______linux_amd64["q#quot;#lt;#amp;#gt;\@linux/amd64"]` + "\n" +
			`  m_q______index{{"q#quot;#lt;#amp;#gt;\#35;index"}}` + "\n" +
			"  s_a_b_linux_amd64 --> s_q______linux_amd64\n" +
			"  s_a_b_linux_amd64_2 --> s_q______linux_amd64\n" +
			"  s_q______linux_amd64 --> m_q______index\n" +
			"  classDef emulated stroke-dasharray: 5 5\n",
	}, {
		format: "json",
		want: `{
  "nodes": [
    {
      "id": "a-b@linux/amd64",
      "kind": "solve",
      "target": "",
      "platform": "",
      "level": 0,
      "exec": "native"
    },
    {
      "id": "a_b@linux/amd64",
      "kind": "solve",
      "target": "",
      "platform": "",
      "level": 0,
      "exec": "emulated"
    },
    {
      "id": "q\"<&>\\@linux/amd64",
      "kind": "solve",
      "target": "",
      "platform": "",
      "level": 0
    },
    {
      "id": "q\"<&>\\#index",
      "kind": "merge",
      "target": "",
      "platform": "",
      "level": 0
    }
  ],
  "edges": [
    {
      "from": "a-b@linux/amd64",
      "to": "q\"<&>\\@linux/amd64"
    },
    {
      "from": "a_b@linux/amd64",
      "to": "q\"<&>\\@linux/amd64"
    },
    {
      "from": "q\"<&>\\@linux/amd64",
      "to": "q\"<&>\\#index"
    }
  ]
}
`,
	}}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			var buf bytes.Buffer
			if err := oddPlan().WriteGraph(&buf, tc.format); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, buf.String()); d != "" {
				t.Errorf("WriteGraph(%s) (-want +got):\n%s", tc.format, d)
			}
		})
	}
}
