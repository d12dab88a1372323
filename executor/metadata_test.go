package executor_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
)

// A failed run's metadata keeps what was published (the tag an index
// reached before the registry refused the next) and why each node failed.
func TestMetadataRecordsFailures(t *testing.T) {
	p := executortest.NewPlan(
		executortest.PlanTarget{Name: "app", Platforms: []string{"linux/amd64", "linux/arm64"}, Merge: true},
		executortest.PlanTarget{Name: "tool", Platforms: []string{"linux/amd64", "linux/arm/v7"}})
	nodes := map[string]*executor.NodeReport{}
	rep := &executor.Report{}
	for _, n := range p.Nodes {
		nr := &executor.NodeReport{Node: n, Status: executor.StatusDone,
			Result: &executor.Result{ExporterResponse: map[string]map[string]string{n.Target: {"containerimage.digest": "sha256:" + n.ID}}}}
		nodes[n.ID] = nr
		rep.Nodes = append(rep.Nodes, nr)
	}
	pushErr := errors.New("output type=registry: pushing r/app:v2: DENIED: requested access to the resource is denied (tags already pointing at sha256:idx: [r/app:v1])")
	idx := nodes["app#index"]
	idx.Status, idx.Result = executor.StatusFailed, nil
	idx.Err = fmt.Errorf("app#index: %w", &executor.PartialError{
		Result: &executor.Result{Published: []string{"r/app:v1"}, ExporterResponse: map[string]map[string]string{"app": {"containerimage.digest": "sha256:idx", "image.name": "r/app:v1"}}},
		Err:    pushErr,
	})
	arm := nodes["tool@linux/arm/v7"]
	arm.Status, arm.Result, arm.Err = executor.StatusFailed, nil, errors.New("tool@linux/arm/v7: exit code: 3")

	got, err := json.Marshal(rep.Metadata())
	if err != nil {
		t.Fatal(err)
	}
	want := `{
	  "app": {
	    "containerimage.digest": "sha256:idx",
	    "image.name": "r/app:v1",
	    "xbake.failed": {"app#index": "app#index: ` + pushErr.Error() + `"},
	    "xbake.platforms": {"linux/amd64": {"containerimage.digest": "sha256:app@linux/amd64"}, "linux/arm64": {"containerimage.digest": "sha256:app@linux/arm64"}}
	  },
	  "tool": {
	    "xbake.failed": {"tool@linux/arm/v7": "tool@linux/arm/v7: exit code: 3"},
	    "xbake.platforms": {"linux/amd64": {"containerimage.digest": "sha256:tool@linux/amd64"}}
	  }
	}`
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("metadata (-want +got):\n%s", diff)
	}
	if out := idx.Output(); out == nil || out.Published[0] != "r/app:v1" {
		t.Errorf("Output() of the failed merge = %+v, want what it published", out)
	}
}
