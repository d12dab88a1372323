package oci

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// partDir returns a directory holding the layout at path: path itself when
// it is a directory, else the tarball extracted into scratch.
func partDir(path, scratch string) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("reading OCI layout: %w", err)
	}
	if fi.IsDir() {
		return path, nil
	}
	if err := extractLayout(path, scratch); err != nil {
		return "", fmt.Errorf("extracting OCI layout %s: %w", path, err)
	}
	return scratch, nil
}

// extractLayout extracts the regular files of a layout tarball. Anything
// else (links, devices) has no place in an OCI layout and is skipped;
// names that would land outside dir are refused.
func extractLayout(tarball, dir string) error {
	f, err := os.Open(tarball)
	if err != nil {
		return err
	}
	defer f.Close()
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		rel := filepath.Clean(filepath.FromSlash(h.Name))
		if !filepath.IsLocal(rel) {
			return fmt.Errorf("entry %q is outside the layout", h.Name)
		}
		if err := writeAtomic(filepath.Join(dir, rel), func(w io.Writer) error {
			_, err := io.Copy(w, tr)
			return err
		}); err != nil {
			return err
		}
	}
}

// writeTarDir writes the files under dir as a tarball to w, in name
// order with fixed times and owners, so that equal layouts give equal
// tarballs.
func writeTarDir(w io.Writer, dir string) error {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir {
			return err
		}
		files = append(files, p)
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(files)
	tw := tar.NewWriter(w)
	for _, p := range files {
		if err := addFile(tw, dir, p); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addFile(tw *tar.Writer, dir, p string) error {
	fi, err := os.Stat(p)
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(dir, p)
	if err != nil {
		return err
	}
	h := &tar.Header{Name: filepath.ToSlash(rel), ModTime: time.Unix(0, 0)}
	if fi.IsDir() {
		h.Typeflag, h.Name, h.Mode = tar.TypeDir, h.Name+"/", 0o755
		return tw.WriteHeader(h)
	}
	h.Typeflag, h.Mode, h.Size = tar.TypeReg, 0o644, fi.Size()
	if err := tw.WriteHeader(h); err != nil {
		return err
	}
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(tw, f)
	return err
}
