//go:build !xbakefront

package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"
)

type imagetoolsCreateOptions struct {
	tags        []string
	annotations []string
	dryRun      bool
}

func newImagetoolsCreateCmd(a *app) *cobra.Command {
	o := &imagetoolsCreateOptions{}
	cmd := &cobra.Command{
		Use:   "create -t TAG [-t TAG...] SOURCE...",
		Short: "Merge images and indexes into one index and push it to every tag",
		Long: `Create an image index from existing images and indexes (by tag or digest):
indexes contribute their manifests, images themselves with the platform of
their config; duplicates are dropped and source order is kept. Manifests in
another repository are copied (mounted) into the tags' repository first,
and no tag is written unless all of them are there. Prints the digest of
the new index.`,
		Example: `  # One multi-platform tag from per-platform tags
  xbake imagetools create -t localhost:5000/app:1.0 -t localhost:5000/app:latest \
    localhost:5000/app:1.0-amd64 localhost:5000/app:1.0-arm64

  # Show the index that would be pushed
  xbake imagetools create --dry-run localhost:5000/app:1.0-amd64 localhost:5000/app:1.0-arm64`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("create needs at least one source image")
			}
			if len(o.tags) == 0 && !o.dryRun {
				return usageErrorf("create needs at least one -t/--tag (or --dry-run)")
			}
			if err := checkRefs("tag", o.tags); err != nil {
				return err
			}
			if err := checkRefs("source image", args); err != nil {
				return err
			}
			ann, err := parseIndexAnnotations(o.annotations)
			if err != nil {
				return err
			}
			c := registryClient(a)
			if o.dryRun {
				idx, err := c.ComposeIndex(cmd.Context(), args, ann)
				if err != nil {
					return err
				}
				_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", idx.Raw)
				return err
			}
			d, err := c.Create(cmd.Context(), o.tags, args, ann)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), d.Digest)
			return err
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.tags, "tag", "t", nil, "Push the index to this tag (repeatable)")
	f.StringArrayVar(&o.annotations, "annotation", nil, `Add an annotation to the index: KEY=VALUE or "index:KEY=VALUE" (repeatable)`)
	f.BoolVar(&o.dryRun, "dry-run", false, "Print the index JSON instead of pushing it")
	return cmd
}

// parseIndexAnnotations reads --annotation values in buildx's syntax.
// Only index annotations exist here: the manifests are reused as they
// are, so buildx's manifest and descriptor types are refused.
func parseIndexAnnotations(vals []string) (map[string]string, error) {
	if len(vals) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, v := range vals {
		k, val, ok := strings.Cut(v, "=")
		if typ, key, typed := strings.Cut(k, ":"); typed {
			switch strings.SplitN(typ, "[", 2)[0] {
			case "index":
				k = key
			case "manifest", "manifest-descriptor", "index-descriptor":
				return nil, usageErrorf("invalid --annotation %q: only index annotations can be set on an existing image", v)
			}
		}
		if !ok || k == "" {
			return nil, usageErrorf("invalid --annotation %q: want KEY=VALUE or index:KEY=VALUE", v)
		}
		out[k] = val
	}
	return out, nil
}
