package inputs

import "github.com/xbake/xbake/localfile"

// MaxFileSize is the largest Dockerfile or ignore file BuildKit's
// Dockerfile frontend reads (16 MiB, a gRPC message): a larger one fails
// the build, so it is not read here either.
const MaxFileSize = 16 << 20

// ReadSmallFile reads a Dockerfile or an ignore file as the frontend
// would: a regular file of at most MaxFileSize bytes (localfile.Read, so
// that a FIFO or a device under such a name is refused at once instead of
// blocking or never ending). A missing file is an error that wraps
// fs.ErrNotExist.
func ReadSmallFile(path string) ([]byte, error) { return localfile.Read(path, MaxFileSize) }
