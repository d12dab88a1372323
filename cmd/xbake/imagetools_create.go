//go:build !xbakefront

package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/util/progress/progressui"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/localfile"
)

// maxSourceFile bounds a file of -f: one descriptor or reference.
const maxSourceFile = 1 << 20

type imagetoolsCreateOptions struct {
	tags         []string
	files        []string
	annotations  []string
	platforms    []string
	dryRun       bool
	appendTo     bool
	preferIndex  bool
	metadataFile string
	progress     string
}

func newImagetoolsCreateCmd(a *app) *cobra.Command {
	o := &imagetoolsCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create -t TAG [-t TAG...] [-f FILE...] [SOURCE...]",
		Short: "Merge images and indexes into one index and push it to every tag",
		Long: `Create an image index from existing images and indexes, as "docker buildx
imagetools create" does. A source is a reference (tag or digest), a bare
digest (sha256:..., in the one repository the tags and sources name), or
an OCI descriptor as JSON ({"digest": ..., "platform": ...}), given as an
argument or in a file (-f). Indexes contribute their manifests, images
themselves with the platform of their config; duplicates are dropped and
source order is kept. Manifests in another repository are copied
(mounted) into the tags' repository first, and no tag is written unless
all of them are there. Prints the digest of what was pushed.`,
		Example: `  # One multi-platform tag from per-platform tags
  xbake imagetools create -t localhost:5000/app:1.0 -t localhost:5000/app:latest \
    localhost:5000/app:1.0-amd64 localhost:5000/app:1.0-arm64

  # Add a platform to an existing tag
  xbake imagetools create --append -t localhost:5000/app:1.0 localhost:5000/app:1.0-riscv64

  # Keep only some platforms of a multi-platform tag
  xbake imagetools create -t localhost:5000/app:1.0 --platform linux/amd64,linux/arm64 \
    localhost:5000/app:nightly

  # Show the index that would be pushed
  xbake imagetools create --dry-run localhost:5000/app:1.0-amd64 localhost:5000/app:1.0-arm64`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.runImagetoolsCreate(cmd, o, args)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.tags, "tag", "t", nil, "Push to this tag (repeatable)")
	f.StringArrayVarP(&o.files, "file", "f", nil, "Read a source (a descriptor as JSON, a reference or a digest) from a file (repeatable)")
	f.StringArrayVar(&o.annotations, "annotation", nil, `Add an annotation: KEY=VALUE or "index:KEY=VALUE" to the index, "manifest-descriptor[PLATFORM]:KEY=VALUE" to its entries (repeatable)`)
	f.StringArrayVarP(&o.platforms, "platform", "p", nil, "Keep only these platforms (and their attestations), comma-separated or repeated")
	f.BoolVar(&o.dryRun, "dry-run", false, "Print what would be pushed instead of pushing it")
	f.BoolVar(&o.appendTo, "append", false, "Add the sources to what the first tag holds now")
	f.BoolVar(&o.preferIndex, "prefer-index", true, "With a single image source, push an index over it; false pushes the image manifest itself")
	f.StringVar(&o.metadataFile, "metadata-file", "", `Write the result ("containerimage.descriptor", "image.name") as JSON to this file`)
	f.StringVar(&o.progress, "progress", "auto", "Accepted for buildx compatibility; create prints no progress")
	return cmd
}

func (a *app) runImagetoolsCreate(cmd *cobra.Command, o *imagetoolsCreateOptions, args []string) error {
	switch progressui.DisplayMode(o.progress) {
	case progressui.AutoMode, progressui.TtyMode, progressui.PlainMode, progressui.RawJSONMode, progressui.QuietMode, "none":
	default:
		return usageErrorf("invalid --progress %q: use auto, tty, plain, rawjson, quiet or none", o.progress)
	}
	wd, err := a.getwd()
	if err != nil {
		return err
	}
	var fileArgs []string
	for _, name := range o.files {
		// A descriptor or a reference: small, and a device or a FIFO
		// would never end or block.
		b, err := localfile.Read(absFrom(wd, name), maxSourceFile)
		if err != nil {
			return usageErrorf("-f %s: %v", name, unwrapPathError(err))
		}
		fileArgs = append(fileArgs, strings.TrimSpace(string(b)))
	}
	args = append(fileArgs, args...)
	if len(args) == 0 {
		return usageErrorf("create needs at least one source image (an argument or -f FILE)")
	}
	if len(o.tags) == 0 && !o.dryRun {
		return usageErrorf("create needs at least one -t/--tag (or --dry-run)")
	}
	if err := checkRefs("tag", o.tags); err != nil {
		return err
	}
	if o.appendTo && len(o.tags) > 0 {
		args = append([]string{o.tags[0]}, args...)
	}
	srcs, err := oci.ParseSources(args, o.tags)
	if err != nil {
		return usageErrorf("%v", err)
	}
	opts := oci.ComposeOptions{CarbonCopy: !o.preferIndex}
	if opts.Platforms, err = parsePlatformFlags(o.platforms); err != nil {
		return err
	}
	if opts.Annotations, opts.DescriptorAnnotations, err = parseCreateAnnotations(o.annotations); err != nil {
		return err
	}
	c := a.registryClient()
	if o.dryRun {
		idx, err := c.Compose(cmd.Context(), srcs, opts)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", idx.Raw)
		return err
	}
	d, err := c.CreateFrom(cmd.Context(), o.tags, srcs, opts)
	if err != nil {
		return err
	}
	if o.metadataFile != "" {
		if err := writeCreateMetadata(absFrom(wd, o.metadataFile), d, o.tags); err != nil {
			return fmt.Errorf("--metadata-file: %w", err)
		}
	}
	_, err = fmt.Fprintln(cmd.OutOrStdout(), d.Digest)
	return err
}

// writeCreateMetadata writes buildx's metadata of imagetools create: the
// descriptor pushed and the tags' repositories (normalized, sorted,
// comma-separated), indented and without a final newline, as buildx does.
func writeCreateMetadata(path string, d ocispec.Descriptor, tags []string) error {
	var repos []string
	for _, t := range tags {
		if n, err := reference.ParseNormalizedNamed(t); err == nil && !slices.Contains(repos, n.Name()) {
			repos = append(repos, n.Name())
		}
	}
	slices.Sort(repos)
	b, err := json.MarshalIndent(map[string]any{
		"containerimage.descriptor": d,
		"image.name":                strings.Join(repos, ","),
	}, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

// parsePlatformFlags reads --platform values, each one or several
// comma-separated platforms.
func parsePlatformFlags(vals []string) ([]ocispec.Platform, error) {
	var out []ocispec.Platform
	for _, v := range vals {
		for _, s := range strings.Split(v, ",") {
			p, err := platforms.Parse(strings.TrimSpace(s))
			if err != nil {
				return nil, usageErrorf("invalid --platform %q: %v", s, err)
			}
			out = append(out, p)
		}
	}
	return out, nil
}

// parseCreateAnnotations reads --annotation values in buildx's syntax:
// "TYPE[,TYPE...]:KEY=VALUE", where a type may name a platform
// ("manifest-descriptor[linux/arm64]"). Index annotations go on the new
// index, manifest-descriptor ones on its entries. The manifests
// themselves are reused as they are, so "manifest" annotations are
// refused, and "index-descriptor" ones have nothing to go on. A key
// without a type is an index annotation.
func parseCreateAnnotations(vals []string) (map[string]string, []oci.DescriptorAnnotation, error) {
	var index map[string]string
	var descs []oci.DescriptorAnnotation
	for _, v := range vals {
		if v == "" {
			continue
		}
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, nil, usageErrorf("invalid --annotation %q: want KEY=VALUE or TYPE:KEY=VALUE", v)
		}
		typs, key, typed := strings.Cut(k, ":")
		if !typed || !annotationTypes.MatchString(typs) {
			typs, key = "index", k // no type (or a key with a colon in it)
		}
		for _, tp := range strings.Split(typs, ",") {
			typ, plat, _ := strings.Cut(strings.TrimSuffix(tp, "]"), "[")
			var p *ocispec.Platform
			if plat != "" {
				pp, err := platforms.Parse(plat)
				if err != nil {
					return nil, nil, usageErrorf("invalid --annotation %q: %v", v, err)
				}
				p = &pp
			}
			switch typ {
			case "index":
				if index == nil {
					index = map[string]string{}
				}
				index[key] = val
			case "manifest-descriptor":
				descs = append(descs, oci.DescriptorAnnotation{Key: key, Value: val, Platform: p})
			case "manifest":
				return nil, nil, usageErrorf("invalid --annotation %q: the manifests are reused as they are; annotate the index or its entries (index:, manifest-descriptor:)", v)
			case "index-descriptor":
				return nil, nil, usageErrorf("invalid --annotation %q: index-descriptor annotations are invalid while creating an image", v)
			}
		}
	}
	return index, descs, nil
}

// annotationTypes matches the type part of an annotation key, as buildx's
// parser (util/buildflags) reads it.
var annotationTypes = regexp.MustCompile(`^(index|index-descriptor|manifest|manifest-descriptor)(\[[A-Za-z0-9_/-]+\])?(,(index|index-descriptor|manifest|manifest-descriptor)(\[[A-Za-z0-9_/-]+\])?)*$`)
