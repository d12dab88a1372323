package oci

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// copyTree copies the blob of d and everything it references (manifests
// of an index, config and layers of a manifest) from layout src to dst.
// Walking from the root, rather than copying blobs/ whole, leaves behind
// what earlier builds left in a reused tar=false directory.
func copyTree(src, dst string, d ocispec.Descriptor) error {
	if err := copyBlob(src, dst, d.Digest); err != nil {
		return err
	}
	switch {
	case isIndexType(d.MediaType):
		var idx ocispec.Index
		if err := readJSONBlob(dst, d.Digest, &idx); err != nil {
			return err
		}
		for _, m := range idx.Manifests {
			if err := copyTree(src, dst, m); err != nil {
				return err
			}
		}
	case isManifestType(d.MediaType):
		var m ocispec.Manifest
		if err := readJSONBlob(dst, d.Digest, &m); err != nil {
			return err
		}
		for _, b := range append([]ocispec.Descriptor{m.Config}, m.Layers...) {
			if err := copyBlob(src, dst, b.Digest); err != nil {
				return err
			}
		}
	}
	return nil
}

// copyBlob copies one blob unless dst has it, verifying its digest: a
// truncated part must fail the merge, not produce a broken layout.
func copyBlob(src, dst string, d digest.Digest) error {
	to, err := blobFile(dst, d)
	if err != nil {
		return err
	}
	if _, err := os.Stat(to); err == nil {
		return nil
	}
	from, err := blobFile(src, d)
	if err != nil {
		return err
	}
	in, err := os.Open(from)
	if err != nil {
		return fmt.Errorf("blob %s missing from layout %s: %w", d, src, err)
	}
	defer in.Close()
	return writeAtomic(to, func(w io.Writer) error {
		v := d.Verifier()
		if _, err := io.Copy(io.MultiWriter(w, v), in); err != nil {
			return fmt.Errorf("copying blob %s: %w", d, err)
		}
		if !v.Verified() {
			return fmt.Errorf("blob %s in layout %s does not match its digest", d, src)
		}
		return nil
	})
}

// writeBlob stores b, whose digest is d, in layout dir.
func writeBlob(dir string, d digest.Digest, b []byte) error {
	to, err := blobFile(dir, d)
	if err != nil {
		return err
	}
	return writeAtomic(to, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

func readJSONBlob(dir string, d digest.Digest, v any) error {
	p, err := blobFile(dir, d)
	if err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	raw, err := readAllLimit(f, maxConfigSize)
	if err != nil {
		return fmt.Errorf("reading blob %s: %w", d, err)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("decoding blob %s: %w", d, err)
	}
	return nil
}

// blobFile is where layout dir keeps d. The digest is validated first: it
// comes from files we did not write and becomes a path.
func blobFile(dir string, d digest.Digest) (string, error) {
	if err := d.Validate(); err != nil {
		return "", fmt.Errorf("invalid digest %q: %w", d, err)
	}
	return filepath.Join(dir, ocispec.ImageBlobsDir, d.Algorithm().String(), d.Encoded()), nil
}

// writeAtomic writes path through a temporary file in the same directory
// and renames it into place, so a failure never leaves a partial file.
func writeAtomic(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".xbake-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

func isManifestType(mt string) bool {
	return mt == ocispec.MediaTypeImageManifest || mt == "application/vnd.docker.distribution.manifest.v2+json"
}
