package oci

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// TarPart is one platform's filesystem tarball (a type=tar output).
type TarPart struct {
	Platform ocispec.Platform
	Path     string
}

// WriteMergedTar writes to w one tarball with one top-level directory per
// platform ("linux_amd64/", "linux_arm_v7/"), each holding that part's
// files, as BuildKit's tar exporter lays out a multi-platform build.
func WriteMergedTar(w io.Writer, parts []TarPart) error {
	if len(parts) == 0 {
		return errors.New("no parts")
	}
	dirs := make([]string, len(parts))
	seen := map[string]bool{}
	for i, p := range parts {
		dirs[i] = platformDir(p.Platform)
		if seen[dirs[i]] {
			return fmt.Errorf("platform %s given twice", platformID(p.Platform))
		}
		seen[dirs[i]] = true
	}
	tw := tar.NewWriter(w)
	for i, p := range parts {
		if err := appendUnder(tw, dirs[i], p.Path); err != nil {
			return fmt.Errorf("platform %s: %w", platformID(p.Platform), err)
		}
	}
	return tw.Close()
}

// appendUnder copies every entry of the tarball src into tw under dir.
func appendUnder(tw *tar.Writer, dir, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	// BuildKit's per-platform directory: 0755, at the epoch unless
	// SOURCE_DATE_EPOCH says otherwise.
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: dir + "/", Mode: 0o755, ModTime: time.Unix(0, 0)}); err != nil {
		return err
	}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading %s: %w", src, err)
		}
		rel, ok := localName(h.Name)
		if !ok {
			return fmt.Errorf("reading %s: entry %q is outside the archive root", src, h.Name)
		}
		if rel == "" {
			continue // the archive root is the platform directory itself
		}
		h.Name = dir + "/" + rel
		if h.Typeflag == tar.TypeDir {
			h.Name += "/"
		}
		// A hard link names another entry of the archive, which moved too;
		// a symlink's target is resolved at extraction time and stays.
		if h.Typeflag == tar.TypeLink {
			target, ok := localName(h.Linkname)
			if !ok || target == "" {
				return fmt.Errorf("reading %s: hard link %q points outside the archive", src, h.Name)
			}
			h.Linkname = dir + "/" + target
		}
		// The names changed: let the writer pick the format again, and drop
		// PAX copies of the old names.
		h.Format = tar.FormatUnknown
		delete(h.PAXRecords, "path")
		delete(h.PAXRecords, "linkpath")
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		if _, err := io.Copy(tw, tr); err != nil {
			return err
		}
	}
}

// localName cleans an entry name to a relative slash path ("" for the
// root); ok is false when it would escape the root.
func localName(name string) (string, bool) {
	if slices.Contains(strings.Split(name, "/"), "..") {
		return "", false
	}
	return strings.TrimPrefix(path.Clean("/"+name), "/"), true
}

// platformID is BuildKit's platform key, e.g. "linux/arm/v7".
func platformID(p ocispec.Platform) string { return platforms.FormatAll(p) }

// platformDir is the platform key as one path component, as BuildKit's
// local and tar exporters name their per-platform directories.
func platformDir(p ocispec.Platform) string {
	id := strings.NewReplacer("/", "_", `\`, "_", ":", "_").Replace(platformID(p))
	if id == "." || id == ".." {
		return strings.Repeat("_", len(id))
	}
	return id
}
