package oci

import (
	"fmt"
	"io"
)

// maxConfigSize bounds what is read into memory from a registry or a
// layout for an image config or a manifest; real ones are a few KiB.
const maxConfigSize = 8 << 20

// readAllLimit reads r, failing instead of growing past limit bytes.
func readAllLimit(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return b, nil
}
