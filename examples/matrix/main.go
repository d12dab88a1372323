// Command app reports how it was built: the Go version its matrix variant
// asked for (GO_VERSION, set with -ldflags -X), the toolchain that really
// compiled it, and the CPU it runs on. examples/matrix builds one image
// per (Go version, platform).
package main

import (
	"fmt"
	"runtime"
)

// goVersion is the matrix's Go version, set at build time.
var goVersion = "unset"

func main() {
	fmt.Printf("app: variant go%s, compiled by %s, running on %s/%s\n", goVersion, runtime.Version(), runtime.GOOS, runtime.GOARCH)
}
