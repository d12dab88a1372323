package executor

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/opencontainers/go-digest"
)

// A result is exported once for all the dependents that read it on other
// nodes. When the export fails because its caller was canceled (the
// caller's node was lost), a dependent that waited for it exports again
// instead of failing with another solve's cancellation; a real failure
// is everyone's.
func TestLinkLayoutAfterACanceledExport(t *testing.T) {
	lt := newLinkTransfers(t.TempDir())
	started := make(chan struct{})
	var exports []string
	lt.export = func(ctx context.Context, la *linkArtifact, dir string) (digest.Digest, error) {
		exports = append(exports, dir)
		if len(exports) == 1 {
			close(started)
			<-ctx.Done()
			return "", errors.New("rpc error: code = Canceled")
		}
		return digest.FromString("layout"), nil
	}
	la := &linkArtifact{}
	first, cancel := context.WithCancel(context.Background())
	firstErr := make(chan error, 1)
	go func() {
		_, err := lt.layout(first, la, "base@linux/amd64")
		firstErr <- err
	}()
	<-started
	second := make(chan *linkLayout, 1)
	go func() {
		l, err := lt.layout(context.Background(), la, "base@linux/amd64")
		if err != nil {
			t.Errorf("the waiting dependent: %v", err)
		}
		second <- l
	}()
	// Let the second caller wait for the first export before it fails
	// (should it come later, it exports itself: the test passes all the
	// same, without proving the point).
	time.Sleep(50 * time.Millisecond)
	cancel()
	if err := <-firstErr; err == nil {
		t.Error("the canceled export succeeded")
	}
	l := <-second
	if l == nil || l.digest != digest.FromString("layout") || len(exports) != 2 || exports[0] == exports[1] {
		t.Errorf("layout %+v after exports into %q; want a second export into a folder of its own", l, exports)
	}

	lt.export = func(context.Context, *linkArtifact, string) (digest.Digest, error) {
		return "", errors.New("no space left")
	}
	if _, err := lt.layout(context.Background(), &linkArtifact{}, "other"); err == nil || err.Error() != "no space left" {
		t.Errorf("a failed export: %v", err)
	}
}
