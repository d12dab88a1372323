package builder

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// maxParallelism reads max-parallelism from a buildkitd.toml (buildx
// keeps the file a node was created with): the value of the [worker.oci]
// or [worker.containerd] table, the smaller when both set one; 0 when
// neither does. Only this key is read, so a line reader does: TOML's
// `key = integer` inside a table header's scope.
func maxParallelism(toml []byte) int {
	found := 0
	table := ""
	sc := bufio.NewScanner(bytes.NewReader(toml))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = strings.TrimSpace(line[:i])
		}
		if strings.HasPrefix(line, "[") {
			table = strings.Trim(strings.ReplaceAll(line, " ", ""), "[]")
			table = strings.ReplaceAll(table, `"`, "")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || strings.Trim(strings.TrimSpace(k), `"`) != "max-parallelism" {
			continue
		}
		if table != "worker.oci" && table != "worker.containerd" {
			continue
		}
		n, err := strconv.Atoi(strings.ReplaceAll(strings.TrimSpace(v), "_", ""))
		if err != nil || n < 1 {
			continue
		}
		if found == 0 || n < found {
			found = n
		}
	}
	return found
}
