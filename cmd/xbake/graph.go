package main

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xbake/xbake/plan"
)

func newGraphCmd(a *app) *cobra.Command {
	opts := &bakeOptions{}
	var format string
	cmd := &cobra.Command{
		Use:   "graph [flags] [TARGET|GROUP...]",
		Short: "Draw the build graph of targets and groups",
		Long: `graph prints the plan's DAG: one node per target and platform, one per
multi-platform merge, and an edge for every target: context. No builder is
needed; --builder-platforms marks the solves that would need emulation.`,
		Example: `  # A Mermaid flowchart to paste into a Markdown page
  xbake graph release --format mermaid

  # Render with Graphviz
  xbake graph --format dot | dot -Tsvg > graph.svg

  # Nodes and edges as JSON
  xbake graph --format json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(plan.GraphFormats, format) {
				return usageErrorf("invalid --format %q: use %s", format, strings.Join(plan.GraphFormats, ", "))
			}
			if len(opts.builderPlatforms) > 0 {
				// Classifying solves reads Dockerfiles (addDockerfiles):
				// the front build hands it over before printing anything.
				if err := a.toEngine(); err != nil {
					return err
				}
			}
			offlineGC()
			l, def, err := a.resolve(cmd.Context(), opts, args)
			if err != nil {
				return err
			}
			if opts.affectedSince != "" {
				if def, err = a.affectedSince(cmd.Context(), opts, l, def); err != nil {
					return err
				}
			}
			req := opts.offlineRequest()
			if err := a.addDockerfiles(&req); err != nil {
				return err
			}
			p, diags := plan.New(def, req)
			if err := l.printer.print(diags); err != nil {
				return err
			}
			return p.WriteGraph(cmd.OutOrStdout(), format)
		},
	}
	opts.addFlags(cmd)
	a.addCompletions(cmd, opts)
	// Accepted, as the main command's, but meaningless for a graph.
	for _, hidden := range []string{"print", "list", "plan", "push", "load", "call", "check", "sbom", "provenance", "no-cache", "pull", "explain", "no-test", "no-preflight"} {
		_ = cmd.Flags().MarkHidden(hidden)
	}
	cmd.Flags().StringVar(&format, "format", "mermaid", "Output format: "+strings.Join(plan.GraphFormats, ", "))
	return cmd
}
