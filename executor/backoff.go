package executor

import (
	"time"

	"github.com/xbake/xbake/executor/oci"
)

// solveBackoff is the pause schedule of solve retries: the registry
// client's (oci.Backoff: doubling, jittered, capped), from first (1s when
// not set), so that the run has one retry rhythm.
func solveBackoff(first time.Duration) oci.Backoff {
	if first <= 0 {
		first = time.Second
	}
	return oci.Backoff{Base: first, Max: max(oci.DefaultBackoff.Max, first)}
}
