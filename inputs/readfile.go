package inputs

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// MaxFileSize is the largest Dockerfile or ignore file BuildKit's
// Dockerfile frontend reads (16 MiB, a gRPC message): a larger one fails
// the build, so it is not read here either.
const MaxFileSize = 16 << 20

// ReadSmallFile reads a Dockerfile or an ignore file as the frontend
// would: a regular file of at most MaxFileSize bytes. A FIFO or a device
// under such a name is refused at once instead of blocking or never
// ending. A missing file is an error that wraps fs.ErrNotExist.
func ReadSmallFile(path string) ([]byte, error) {
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
	dt, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(dt) > MaxFileSize {
		return nil, fmt.Errorf("%s is larger than %d MiB, the most BuildKit reads", path, MaxFileSize>>20)
	}
	return dt, nil
}
