package executor

import (
	"testing"
	"time"
)

// Solve retries pause as the registry client does: from the first pause,
// doubling with jitter into [d/2, d), at most 8s (or the first pause when
// it is longer).
func TestSolveBackoff(t *testing.T) {
	for _, tc := range []struct {
		first time.Duration
		ceils []time.Duration
	}{
		{0, []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second, 8 * time.Second}},
		{3 * time.Second, []time.Duration{3 * time.Second, 6 * time.Second, 8 * time.Second}},
		{20 * time.Second, []time.Duration{20 * time.Second, 20 * time.Second}},
	} {
		b := solveBackoff(tc.first)
		for i, ceil := range tc.ceils {
			if d := b.Delay(i); d < ceil/2 || d >= ceil {
				t.Errorf("first %v: pause %d = %v, want in [%v, %v)", tc.first, i, d, ceil/2, ceil)
			}
		}
	}
}
