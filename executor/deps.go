package executor

// Blank imports pin the executor's dependencies in go.mod until the code
// that uses them lands; delete this file then.
import (
	_ "github.com/google/go-containerregistry/pkg/v1/remote"
	_ "github.com/moby/buildkit/client"
	_ "github.com/moby/buildkit/util/progress/progressui"
	_ "github.com/tonistiigi/fsutil"
	_ "golang.org/x/sync/errgroup"
)
