package executor

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/containerd/platforms"
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

func encodeDescriptor(d ocispec.Descriptor) string {
	dt, _ := json.Marshal(d)
	return base64.StdEncoding.EncodeToString(dt)
}

func parsePlatform(s string) (ocispec.Platform, error) {
	return platforms.Parse(s)
}
