package builder

import (
	"bytes"

	"github.com/pelletier/go-toml/v2"
)

// maxParallelism reads max-parallelism from a buildkitd.toml (buildx
// keeps the file a node was created with): the value of the [worker.oci]
// or [worker.containerd] table, the smaller when both set one; 0 when
// neither does, or when the file is not TOML. It is read with the TOML
// library buildkitd reads the file with, so every form buildkitd accepts
// (dotted keys, inline tables) counts.
func maxParallelism(file []byte) int {
	type worker struct {
		MaxParallelism int `toml:"max-parallelism"`
	}
	var cfg struct {
		Worker struct {
			OCI        worker `toml:"oci"`
			Containerd worker `toml:"containerd"`
		} `toml:"worker"`
	}
	if err := toml.NewDecoder(bytes.NewReader(file)).Decode(&cfg); err != nil {
		return 0
	}
	found := 0
	for _, n := range []int{cfg.Worker.OCI.MaxParallelism, cfg.Worker.Containerd.MaxParallelism} {
		if n >= 1 && (found == 0 || n < found) {
			found = n
		}
	}
	return found
}
