// Command mkbase builds the local stack's base images and pushes them as
// OCI image indexes: there is no internet registry here, so every image a
// test or an example starts FROM is made on this machine.
//
//	mkbase -busybox linux/amd64=/path/busybox -busybox linux/arm64=... REF...
//	mkbase -busybox linux/amd64=... -goroot linux/amd64=/usr/local/go ... REF...
//
// Every platform gets a FROM-scratch root file system holding a static
// busybox and its applet symlinks. With -goroot, each platform also gets
// that Go tree at /usr/local/go and a Go-friendly environment. The same
// index is pushed to every REF. Layers are reproducible (fixed times and
// owners), so pushing the same inputs again yields the same digests.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// epoch is the time stamped on every file and on the image config, so that
// layer and image digests depend on content only.
var epoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

const basePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// platformPaths collects repeated PLATFORM=PATH flags in command-line order.
type platformPaths struct {
	order []string
	paths map[string]string
}

func (p *platformPaths) String() string { return strings.Join(p.order, ",") }

func (p *platformPaths) Set(s string) error {
	plat, file, ok := strings.Cut(s, "=")
	if !ok || plat == "" || file == "" {
		return fmt.Errorf("want PLATFORM=PATH, got %q", s)
	}
	if _, err := parsePlatform(plat); err != nil {
		return err
	}
	if p.paths == nil {
		p.paths = map[string]string{}
	}
	if _, dup := p.paths[plat]; dup {
		return fmt.Errorf("platform %s given twice", plat)
	}
	p.order = append(p.order, plat)
	p.paths[plat] = file
	return nil
}

func main() {
	var busybox, goroot platformPaths
	flag.Var(&busybox, "busybox", "PLATFORM=FILE: static busybox binary for that platform (repeat per platform)")
	flag.Var(&goroot, "goroot", "PLATFORM=DIR: Go tree to install at /usr/local/go for that platform (repeat; makes a Go image)")
	tmpDir := flag.String("tmp", "", "folder for layer files while building (default: the system's)")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: mkbase -busybox PLATFORM=FILE... [-goroot PLATFORM=DIR...] REF...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if len(busybox.order) == 0 || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(busybox, goroot, *tmpDir, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "mkbase:", err)
		os.Exit(1)
	}
}

func run(busybox, goroot platformPaths, tmpDir string, refs []string) error {
	for _, plat := range goroot.order {
		if _, ok := busybox.paths[plat]; !ok {
			return fmt.Errorf("-goroot %s has no matching -busybox", plat)
		}
	}
	if len(goroot.order) > 0 && len(goroot.order) != len(busybox.order) {
		return errors.New("a Go image needs -goroot for every -busybox platform")
	}
	var tags []name.Reference
	for _, r := range refs {
		ref, err := name.ParseReference(r, name.Insecure)
		if err != nil {
			return fmt.Errorf("parse %q: %w", r, err)
		}
		tags = append(tags, ref)
	}
	work, err := os.MkdirTemp(tmpDir, "mkbase-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)

	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, plat := range busybox.order {
		p, _ := parsePlatform(plat)
		img, err := platformImage(work, p, busybox.paths[plat], goroot.paths[plat])
		if err != nil {
			return fmt.Errorf("%s: %w", plat, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: &p},
		})
	}
	digest, err := idx.Digest()
	if err != nil {
		return err
	}
	ctx := context.Background()
	for _, ref := range tags {
		if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx)); err != nil {
			return fmt.Errorf("push %s: %w", ref, err)
		}
		fmt.Printf("pushed %s@%s (%s)\n", ref, digest, busybox.String())
	}
	return nil
}

func parsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(s, "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		p.Variant = parts[2]
	}
	return p, nil
}

func platformImage(work string, p v1.Platform, busyboxBin, goroot string) (v1.Image, error) {
	base, err := busyboxLayer(work, p, busyboxBin)
	if err != nil {
		return nil, err
	}
	layers := []v1.Layer{base}
	env := []string{"PATH=" + basePath}
	cmd := []string{"sh"}
	workdir := ""
	if goroot != "" {
		gl, err := goLayer(work, p, goroot)
		if err != nil {
			return nil, err
		}
		layers = append(layers, gl)
		// GOPROXY=off and GOTOOLCHAIN=local: builds in this image must never
		// reach for the network or another toolchain; CGO_ENABLED=0 because
		// there is no C compiler in it.
		env = []string{
			"PATH=/go/bin:/usr/local/go/bin:" + basePath,
			"GOPATH=/go",
			"GOTOOLCHAIN=local",
			"GOPROXY=off",
			"CGO_ENABLED=0",
		}
		workdir = "/go"
	}
	img := mutate.MediaType(empty.Image, types.OCIManifestSchema1)
	img = mutate.ConfigMediaType(img, types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS = p.OS
	cf.Architecture = p.Architecture
	cf.Variant = p.Variant
	cf.Created = v1.Time{Time: epoch}
	cf.Config.Env = env
	cf.Config.Cmd = cmd
	cf.Config.WorkingDir = workdir
	return mutate.ConfigFile(img, cf)
}

// entry is one file of a layer; layers are written sorted by name so that
// parents come before children and the bytes are reproducible.
type entry struct {
	hdr  tar.Header
	body []byte // regular files held in memory
	file string // regular files read from disk when written
}

func dirEntry(name string, mode int64) entry {
	return entry{hdr: tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode}}
}

func busyboxLayer(work string, p v1.Platform, bin string) (v1.Layer, error) {
	info, err := os.Stat(bin)
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", bin)
	}
	// The binary itself knows where each applet belongs. Running a foreign
	// busybox relies on the QEMU binfmt_misc handlers `make up` registers.
	out, err := exec.Command(bin, "--list-full").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list-full (binfmt_misc handler for %s registered?): %w", bin, p.Architecture, err)
	}
	entries := []entry{
		dirEntry("bin", 0o755), dirEntry("sbin", 0o755), dirEntry("usr", 0o755),
		dirEntry("usr/bin", 0o755), dirEntry("usr/sbin", 0o755),
		dirEntry("usr/local", 0o755), dirEntry("usr/local/bin", 0o755),
		dirEntry("etc", 0o755), dirEntry("root", 0o700), dirEntry("tmp", 0o1777),
		dirEntry("var", 0o755), dirEntry("var/tmp", 0o1777),
		{hdr: tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: info.Size()}, file: bin},
		// runc takes HOME from /etc/passwd; tools such as go need it.
		textFile("etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n"),
		textFile("etc/group", "root:x:0:\nnogroup:x:65534:\n"),
	}
	seen := map[string]bool{"bin/busybox": true}
	for _, applet := range strings.Fields(string(out)) {
		applet = strings.TrimPrefix(applet, "/")
		if seen[applet] || path.Clean(applet) != applet || strings.HasPrefix(applet, "..") {
			continue
		}
		seen[applet] = true
		entries = append(entries, entry{hdr: tar.Header{
			Typeflag: tar.TypeSymlink, Name: applet, Linkname: "/bin/busybox", Mode: 0o777,
		}})
	}
	if !seen["bin/sh"] {
		return nil, fmt.Errorf("%s --list-full does not list bin/sh", bin)
	}
	return writeLayer(work, entries)
}

func textFile(name, body string) entry {
	return entry{
		hdr:  tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(body))},
		body: []byte(body),
	}
}

func goLayer(work string, p v1.Platform, goroot string) (v1.Layer, error) {
	version, err := os.ReadFile(filepath.Join(goroot, "VERSION"))
	if err != nil {
		return nil, fmt.Errorf("%s does not look like a Go tree: %w", goroot, err)
	}
	toolDir := filepath.Join(goroot, "pkg", "tool", p.OS+"_"+p.Architecture)
	if _, err := os.Stat(toolDir); err != nil {
		return nil, fmt.Errorf("%s (%s) has no tools for %s/%s: %w", goroot, firstLine(version), p.OS, p.Architecture, err)
	}
	entries := []entry{
		dirEntry("usr", 0o755), dirEntry("usr/local", 0o755), dirEntry("usr/local/go", 0o755),
		dirEntry("go", 0o1777), dirEntry("go/bin", 0o1777), dirEntry("go/src", 0o1777),
	}
	err = filepath.WalkDir(goroot, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(goroot, file)
		if err != nil || rel == "." {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		name := path.Join("usr/local/go", filepath.ToSlash(rel))
		mode := int64(info.Mode().Perm())
		switch {
		case d.IsDir():
			entries = append(entries, dirEntry(name, mode|0o755))
		case info.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(file)
			if err != nil {
				return err
			}
			entries = append(entries, entry{hdr: tar.Header{Typeflag: tar.TypeSymlink, Name: name, Linkname: target, Mode: 0o777}})
		case info.Mode().IsRegular():
			mode |= 0o444
			// Toolchain module zips drop exec bits; the go command restores
			// them for bin/ and pkg/tool/ on first use, and so do we.
			if strings.HasPrefix(rel, "bin"+string(filepath.Separator)) || strings.HasPrefix(rel, filepath.Join("pkg", "tool")+string(filepath.Separator)) {
				mode |= 0o111
			}
			entries = append(entries, entry{hdr: tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: mode, Size: info.Size()}, file: file})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return writeLayer(work, entries)
}

func firstLine(b []byte) string {
	line, _, _ := bytes.Cut(b, []byte("\n"))
	return string(line)
}

// writeLayer writes the entries as an uncompressed tar in work and returns
// it as a gzip OCI layer; the compressed bytes are cached so the costly
// compression runs once although digesting and pushing both read them.
func writeLayer(work string, entries []entry) (v1.Layer, error) {
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].hdr.Name < entries[j].hdr.Name })
	f, err := os.CreateTemp(work, "layer-*.tar")
	if err != nil {
		return nil, err
	}
	tw := tar.NewWriter(f)
	for _, e := range entries {
		hdr := e.hdr
		hdr.ModTime = epoch
		hdr.Format = tar.FormatPAX
		if err := tw.WriteHeader(&hdr); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", hdr.Name, err)
		}
		if err := writeBody(tw, e); err != nil {
			f.Close()
			return nil, fmt.Errorf("%s: %w", hdr.Name, err)
		}
	}
	if err := tw.Close(); err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Close(); err != nil {
		return nil, err
	}
	return tarball.LayerFromFile(f.Name(),
		tarball.WithMediaType(types.OCILayer),
		tarball.WithCompressionLevel(gzip.BestSpeed),
		tarball.WithCompressedCaching)
}

func writeBody(tw *tar.Writer, e entry) error {
	switch {
	case e.body != nil:
		_, err := tw.Write(e.body)
		return err
	case e.file != "":
		src, err := os.Open(e.file)
		if err != nil {
			return err
		}
		defer src.Close()
		n, err := io.Copy(tw, src)
		if err == nil && n != e.hdr.Size {
			err = fmt.Errorf("changed while reading: %d bytes, expected %d", n, e.hdr.Size)
		}
		return err
	}
	return nil
}
