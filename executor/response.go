package executor

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

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

// outputFiles writes file outputs next to their destination and renames
// them into place only when the solve succeeded, so that a failed or
// canceled run leaves existing files as they were.
type outputFiles struct {
	mu    sync.Mutex
	files map[string]string // temp -> dest
}

func newOutputFiles() *outputFiles { return &outputFiles{files: map[string]string{}} }

func (o *outputFiles) create(dest string) func(map[string]string) (io.WriteCloser, error) {
	return func(map[string]string) (io.WriteCloser, error) {
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return nil, err
		}
		f, err := os.CreateTemp(filepath.Dir(dest), "."+filepath.Base(dest)+".*")
		if err != nil {
			return nil, err
		}
		o.mu.Lock()
		o.files[f.Name()] = dest
		o.mu.Unlock()
		return f, nil
	}
}

func (o *outputFiles) commit() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var errs []error
	for tmp, dest := range o.files {
		if err := os.Chmod(tmp, 0o644); err != nil {
			errs = append(errs, err)
		}
		if err := os.Rename(tmp, dest); err != nil {
			errs = append(errs, err)
		}
		delete(o.files, tmp)
	}
	return errors.Join(errs...)
}

func (o *outputFiles) cleanup() {
	o.mu.Lock()
	defer o.mu.Unlock()
	for tmp := range o.files {
		os.Remove(tmp)
	}
}

func encodeDescriptor(d ocispec.Descriptor) string {
	dt, _ := json.Marshal(d)
	return base64.StdEncoding.EncodeToString(dt)
}

func parsePlatform(s string) (ocispec.Platform, error) {
	return platforms.Parse(s)
}
