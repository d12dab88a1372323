package localfile

import (
	"fmt"
	"io"
	"os"
	"syscall"
)

// Error is a file that Read refuses.
type Error struct {
	Path string
	// Limit is set when the file is larger than it; otherwise the file is
	// not a regular one.
	Limit int64
}

func (e *Error) Error() string { return e.Path + " " + e.Reason() }

// Reason is the message without the path, for a caller that names the
// file itself: "is not a regular file", "is larger than 16 MiB".
func (e *Error) Reason() string {
	if e.Limit > 0 {
		return "is larger than " + FormatSize(e.Limit)
	}
	return "is not a regular file"
}

// Read reads the regular file at path (symbolic links followed) if it
// holds at most limit bytes. It opens without blocking, so that a FIFO is
// refused at once instead of waiting for a writer; a missing file is the
// error os.Open gives (it wraps fs.ErrNotExist).
func Read(path string, limit int64) ([]byte, error) {
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
		return nil, &Error{Path: path}
	}
	dt, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(dt)) > limit {
		return nil, &Error{Path: path, Limit: limit}
	}
	return dt, nil
}

// FormatSize spells a size limit in the largest binary unit that divides
// it: "16 MiB", "512 KiB", "1000 bytes".
func FormatSize(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
