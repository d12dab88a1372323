package plan_test

import (
	"strings"
	"testing"

	"github.com/xbake/xbake/plan"
)

// An engine that keeps multi-platform images (Request.LoadIndex) gets one
// image from a multi-platform --load, so the target has a merge node;
// otherwise each platform loads its own tag and there is none. A docker
// output with dest is a file per platform either way.
func TestLoadIndex(t *testing.T) {
	targets := []fx{
		{name: "load", dockerfile: "load.Dockerfile", platforms: amdArm, outputs: []string{"type=docker"}},
		{name: "file", dockerfile: "file.Dockerfile", platforms: amdArm, outputs: []string{"type=docker,dest=x.tar"}},
		{name: "one", dockerfile: "one.Dockerfile", platforms: []string{"linux/arm64"}, outputs: []string{"type=docker"}},
	}
	for _, c := range []struct {
		index bool
		want  string
	}{
		{false, "file@linux/amd64 L0 export | file@linux/arm64 L0 export | load@linux/amd64 L0 export | load@linux/arm64 L0 export | one@linux/arm64 L0 export"},
		{true, "file@linux/amd64 L0 export | file@linux/arm64 L0 export | load@linux/amd64 L0 merge | load@linux/arm64 L0 merge | one@linux/arm64 L0 export | load#index L1 load@linux/amd64,load@linux/arm64 <- load@linux/amd64 load@linux/arm64"},
	} {
		p := mustPlan(t, plan.Request{DefaultPlatform: "linux/amd64", LoadIndex: c.index}, targets...)
		if got := strings.Join(summary(p), " | "); got != c.want {
			t.Errorf("LoadIndex=%v:\n got %s\nwant %s", c.index, got, c.want)
		}
		if p.LoadIndex != c.index {
			t.Errorf("Plan.LoadIndex = %v", p.LoadIndex)
		}
	}
}
