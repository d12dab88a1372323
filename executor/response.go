package executor

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"sync"

	"github.com/containerd/platforms"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// responseDescriptor reads the image descriptor of an exporter response:
// containerimage.descriptor (base64 JSON), else containerimage.digest.
func responseDescriptor(er map[string]string) (ocispec.Descriptor, error) {
	var desc ocispec.Descriptor
	if s, ok := er[exptypes.ExporterImageDescriptorKey]; ok {
		dt, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return desc, fmt.Errorf("decoding %s: %w", exptypes.ExporterImageDescriptorKey, err)
		}
		if err := json.Unmarshal(dt, &desc); err != nil {
			return desc, fmt.Errorf("decoding %s: %w", exptypes.ExporterImageDescriptorKey, err)
		}
		return desc, nil
	}
	if s, ok := er[exptypes.ExporterImageDigestKey]; ok {
		desc.Digest = digest.Digest(s)
		desc.MediaType = ocispec.MediaTypeImageManifest
	}
	return desc, nil
}

// stepCounter counts a solve's Dockerfile steps and the cached ones.
// Steps are the vertices named "[stage n/m] ..." or "[n/m] ..."; internal
// loads and exports are not steps.
type stepCounter struct {
	mu   sync.Mutex
	seen map[digest.Digest]bool // completed vertex -> cached
}

func (c *stepCounter) add(st *client.SolveStatus) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, v := range st.Vertexes {
		if v.Completed == nil || !strings.HasPrefix(v.Name, "[") || strings.HasPrefix(v.Name, "[internal]") || strings.HasPrefix(v.Name, "[auth]") {
			continue
		}
		c.seen[v.Digest] = c.seen[v.Digest] || v.Cached
	}
}

func (c *stepCounter) counts() (steps, cached int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, ok := range c.seen {
		steps++
		if ok {
			cached++
		}
	}
	return steps, cached
}

func encodeDescriptor(d ocispec.Descriptor) string {
	dt, _ := json.Marshal(d)
	return base64.StdEncoding.EncodeToString(dt)
}

func parsePlatform(s string) (ocispec.Platform, error) {
	return platforms.Parse(s)
}
