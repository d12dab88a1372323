// Command hello prints the CPU architecture it was built for, so that a
// multi-platform image shows which of its images a machine ran: "Hello,
// amd64!", "Hello, arm64!" or "Hello, arm!" (GOARCH has no variant; arm/v7
// prints "arm").
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Printf("Hello, %s!\n", runtime.GOARCH)
}
