// Package baketest generates bake definitions for tests and benchmarks.
package baketest

import (
	"fmt"
	"strings"
)

// Large returns the performance goals' definition: plain targets that
// inherit one common target (3 platforms, labels, args), and one
// 2-dimension matrix target of matrixA x matrixB targets. Large(300, 47,
// 100) has 5,000 targets.
func Large(plain, matrixA, matrixB int) []byte {
	var b strings.Builder
	b.WriteString(`variable "REGISTRY" { default = "registry.example/team" }
variable "TAG" { default = "dev" }

target "_common" {
  platforms = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
  labels    = { "org.opencontainers.image.source" = "https://example.test/repo" }
  args      = { GO_VERSION = "1.26" }
}
`)
	for i := 0; i < plain; i++ {
		fmt.Fprintf(&b, `
target "svc-%d" {
  inherits   = ["_common"]
  context    = "services/svc-%d"
  tags       = ["${REGISTRY}/svc-%d:${TAG}"]
  args       = { SERVICE = "svc-%d" }
  cache-from = ["type=registry,ref=${REGISTRY}/cache:svc-%d"]
}
`, i, i, i, i, i)
	}
	fmt.Fprintf(&b, `
target "mx" {
  inherits = ["_common"]
  matrix   = { a = [%s], b = [%s] }
  name     = "mx-${a}-${b}"
  tags     = ["${REGISTRY}/mx:${a}-${b}"]
  args     = { A = a, B = b }
}
`, quoted("a", matrixA), quoted("b", matrixB))
	return []byte(b.String())
}

func quoted(prefix string, n int) string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%q", fmt.Sprintf("%s%d", prefix, i))
	}
	return strings.Join(out, ", ")
}
