//go:build !xbakefront

package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/executor/oci"
)

func newImagetoolsInspectCmd(a *app) *cobra.Command {
	var format string
	var raw bool
	cmd := &cobra.Command{
		Use:   "inspect [--format text|json|TEMPLATE] [--raw] REF",
		Short: "Show an image or index in a registry, with the platform of each manifest",
		Long: `Show an image or index in a registry: by default its manifests with their
platforms; --format json for the same as JSON; --raw for the manifest or
index exactly as the registry has it; or --format with a Go template over
what "docker buildx imagetools inspect --format" shows: .Name, .Manifest,
.Image (one config, or configs by platform), .SBOM and .Provenance, and a
json function.`,
		Example: `  # The platforms of a multi-platform tag
  xbake imagetools inspect localhost:5000/app:latest

  # The same data as JSON
  xbake imagetools inspect --format json localhost:5000/app:latest

  # The index as stored, and buildx's template fields
  xbake imagetools inspect --raw localhost:5000/app:latest
  xbake imagetools inspect --format '{{json .Manifest}}' localhost:5000/app:latest
  xbake imagetools inspect --format '{{range $p, $img := .Image}}{{$p}} {{$img.Created}}{{"\n"}}{{end}}' localhost:5000/app:latest
  xbake imagetools inspect --format '{{json .Provenance}}' localhost:5000/app:latest`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usageErrorf("inspect takes one image reference, got %d", len(args))
			}
			if raw && cmd.Flags().Changed("format") {
				return usageErrorf("--format and --raw cannot be used together")
			}
			if wholeManifest.MatchString(strings.TrimSpace(format)) {
				format = "text" // buildx prints its text form for it
			}
			if format != "text" && format != "json" && !isTemplate(format) {
				return usageErrorf("invalid --format %q: use text, json or a Go template such as '{{json .Manifest}}'", format)
			}
			if err := checkRefs("image reference", args); err != nil {
				return err
			}
			out, c := cmd.OutOrStdout(), a.registryClient()
			switch {
			case raw:
				b, err := c.Raw(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				_, err = out.Write(b) // no newline: the bytes are the digest's
				return err
			case isTemplate(format):
				tpl, err := parseInspectTemplate(format)
				if err != nil {
					return usageErrorf("invalid --format template: %v", err)
				}
				d, err := c.Details(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				return executeInspectTemplate(cmd.Context(), out, tpl, args[0], d)
			case format == "json":
				in, err := c.Inspect(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(in)
			default:
				in, err := c.Inspect(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				_, err = io.WriteString(out, formatInspection(in))
				return err
			}
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "Output format: text, json, or a Go template as buildx's ('{{json .Manifest}}', '{{json .Image}}', '{{json .Provenance}}')")
	cmd.Flags().BoolVar(&raw, "raw", false, "Print the manifest or index exactly as the registry has it")
	return cmd
}

// formatInspection lays an inspection out as "docker buildx imagetools
// inspect" does, plus the platform of a single image. Values line up in
// one column per section, and annotations are sorted by key.
func formatInspection(in *oci.Inspection) string {
	var b strings.Builder
	head := [][2]string{{"Name:", in.Name}, {"MediaType:", in.MediaType}, {"Digest:", in.Digest.String()}}
	if in.Platform != nil {
		head = append(head, [2]string{"Platform:", platforms.FormatAll(*in.Platform)})
	}
	writeFields(&b, "", head)
	if len(in.Manifests) == 0 {
		return b.String()
	}
	b.WriteString("\nManifests:\n")
	blocks := make([][][2]string, len(in.Manifests))
	for i, m := range in.Manifests {
		fields := [][2]string{{"Name:", m.Name}, {"MediaType:", m.MediaType}}
		if m.Platform != nil {
			fields = append(fields, [2]string{"Platform:", platforms.FormatAll(*m.Platform)})
		}
		if len(m.Annotations) > 0 {
			fields = append(fields, [2]string{"Annotations:", ""})
		}
		blocks[i] = fields
	}
	width := 0
	for _, fields := range blocks {
		width = max(width, keyWidth(fields))
	}
	for i, fields := range blocks {
		if i > 0 {
			b.WriteString("\n")
		}
		for _, f := range fields {
			writeField(&b, "  ", f, width)
		}
		ann := in.Manifests[i].Annotations
		var pairs [][2]string
		for _, k := range slices.Sorted(maps.Keys(ann)) {
			pairs = append(pairs, [2]string{k + ":", ann[k]})
		}
		writeFields(&b, "    ", pairs)
	}
	return b.String()
}

func writeFields(b *strings.Builder, indent string, fields [][2]string) {
	w := keyWidth(fields)
	for _, f := range fields {
		writeField(b, indent, f, w)
	}
}

func writeField(b *strings.Builder, indent string, f [2]string, width int) {
	if f[1] == "" {
		fmt.Fprintf(b, "%s%s\n", indent, f[0])
		return
	}
	fmt.Fprintf(b, "%s%-*s %s\n", indent, width, f[0], f[1])
}

func keyWidth(fields [][2]string) int {
	w := 0
	for _, f := range fields {
		w = max(w, len(f[0]))
	}
	return w
}
