// Command imgpeek looks inside images that xbake built, for the demo
// (scripts/demo.sh): it takes one file out of one platform's image in a
// registry, and it says which platform each docker archive holds.
//
//	imgpeek extract -platform linux/arm64 -o out/hello REF /hello
//	imgpeek archive out/hello-linux-amd64.tar ...
//
// extract prints the platform, the image digest and where the file went;
// archive prints, for each tarball, its tags and the os/architecture/variant
// of its image config. Registry credentials come from the docker config
// file ($DOCKER_CONFIG/config.json), as xbake's own.
package main

import (
	"archive/tar"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	var err error
	switch os.Args[1] {
	case "extract":
		err = extract(os.Args[2:])
	case "archive":
		err = archive(os.Args[2:])
	default:
		usage()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "imgpeek:", err)
		os.Exit(1)
	}
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: imgpeek extract -platform OS/ARCH[/VARIANT] -o DEST REF FILE\n       imgpeek archive TARBALL...")
	os.Exit(2)
}

func extract(args []string) error {
	fs := flag.NewFlagSet("extract", flag.ExitOnError)
	plat := fs.String("platform", "", "the image of this platform in REF's index (os/arch[/variant])")
	dest := fs.String("o", "", "where to write the file (mode 0755)")
	_ = fs.Parse(args)
	if fs.NArg() != 2 || *plat == "" || *dest == "" {
		usage()
	}
	p, err := v1.ParsePlatform(*plat)
	if err != nil {
		return err
	}
	ref, err := name.ParseReference(fs.Arg(0))
	if err != nil {
		return err
	}
	img, err := remote.Image(ref, remote.WithPlatform(*p), remote.WithAuthFromKeychain(authn.DefaultKeychain))
	if err != nil {
		return fmt.Errorf("pull %s for %s: %w", ref, *plat, err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return err
	}
	if got := configPlatform(cf); got != p.String() {
		return fmt.Errorf("%s: asked for %s, the registry gave an image for %s", ref, *plat, got)
	}
	digest, err := img.Digest()
	if err != nil {
		return err
	}
	if err := copyFile(img, fs.Arg(1), *dest); err != nil {
		return fmt.Errorf("%s (%s): %w", ref, *plat, err)
	}
	fmt.Printf("%-13s %s  %s -> %s\n", *plat, short(digest), fs.Arg(1), *dest)
	return nil
}

// copyFile writes one regular file of img's flattened file system to dest.
func copyFile(img v1.Image, file, dest string) error {
	want := strings.TrimPrefix(path.Clean("/"+file), "/")
	rc := mutate.Extract(img)
	defer rc.Close()
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return fmt.Errorf("the image has no file %s", file)
		}
		if err != nil {
			return err
		}
		if strings.TrimPrefix(path.Clean("/"+h.Name), "/") != want || h.Typeflag != tar.TypeReg {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(dest, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
		if err != nil {
			return err
		}
		if _, err := io.Copy(f, tr); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
}

func archive(files []string) error {
	if len(files) == 0 {
		usage()
	}
	for _, file := range files {
		m, err := tarball.LoadManifest(func() (io.ReadCloser, error) { return os.Open(file) })
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		if len(m) != 1 {
			return fmt.Errorf("%s holds %d images; a per-platform docker archive holds one", file, len(m))
		}
		img, err := tarball.ImageFromPath(file, nil)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		cf, err := img.ConfigFile()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		fmt.Printf("%-34s %-13s %s\n", file, configPlatform(cf), strings.Join(m[0].RepoTags, ", "))
	}
	return nil
}

// configPlatform is the platform an image config declares, os/arch[/variant].
func configPlatform(cf *v1.ConfigFile) string {
	s := cf.OS + "/" + cf.Architecture
	if cf.Variant != "" {
		s += "/" + cf.Variant
	}
	return s
}

func short(d v1.Hash) string {
	return d.Algorithm + ":" + d.Hex[:12]
}
