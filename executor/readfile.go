package executor

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// readFileMax reads a regular file of at most limit bytes. Files named in
// a definition or on the command line (a secret's src, --builders) may be
// anything: /dev/zero never ends, and a FIFO blocks until someone writes.
func readFileMax(path string, limit int64, what string) ([]byte, error) {
	// Non-blocking, so that opening a FIFO returns at once and is refused.
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	dt, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(dt)) > limit {
		return nil, fmt.Errorf("%s is larger than %d KiB, the limit for %s", path, limit>>10, what)
	}
	return dt, nil
}
