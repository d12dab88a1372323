package baketest

import (
	"fmt"
	"strings"
)

// Chain returns a definition whose targets inherit one from the next:
// t0 inherits t1, which inherits t2, ... down to tN, which sets a context,
// an arg and a platform. A chain of 4,000 links is about 150 KB.
func Chain(n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "target \"t%d\" {\n  inherits = [\"t%d\"]\n}\n", i, i+1)
	}
	fmt.Fprintf(&b, "target \"t%d\" {\n  context   = \"src\"\n  platforms = [\"linux/amd64\"]\n  args      = { ROOT = \"%d\" }\n}\n", n, n)
	return []byte(b.String())
}
