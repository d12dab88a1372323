package main

import (
	"github.com/spf13/cobra"
)

const rootExamples = `  # Build the "default" group (or target) of ./xbuild.hcl or ./docker-bake.hcl
  xbake

  # Build and publish the "release" group of a given file
  xbake -f xbuild.hcl release --push

  # Show the resolved definition, exactly as "docker buildx bake --print"
  xbake --print release

  # Show the plan: one node per target and platform, with dependency levels
  xbake --plan release

  # Draw the build graph as Mermaid for a Markdown page
  xbake graph release --format mermaid

  # Feed a CI job matrix
  xbake --list type=targets,format=json`

func newRootCmd(a *app) *cobra.Command {
	opts := &bakeOptions{}
	cmd := &cobra.Command{
		Use:   "xbake [flags] [TARGET|GROUP...]",
		Short: "Build multi-platform container images from bake files",
		Long: `xbake reads bake files (the language of "docker buildx bake"), expands them
into a graph of per-platform BuildKit solves, runs it concurrently and
publishes manifest lists or per-platform outputs.`,
		Example:       rootExamples,
		Version:       currentBuild().String(),
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runBake(cmd.Context(), a, opts, args)
		},
	}
	cmd.SetIn(a.stdin)
	cmd.SetOut(a.stdout)
	cmd.SetErr(a.stderr)
	cmd.SetVersionTemplate("{{.Version}}\n")
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageErrorf("%v\nRun '%s --help' for usage.", err, c.CommandPath())
	})
	opts.addFlags(cmd)
	a.addDebugFlag(cmd)
	// graph has its own --format; this one is --list's.
	cmd.Flags().StringVar(&opts.listFormat, "format", "", "Format of --list: table or json (same as --list type=...,format=...)")
	opts.run.addFlags(cmd.Flags())
	a.addCompletions(cmd, opts)

	cmd.AddCommand(
		newVersionCmd(a),
		newCompletionCmd(a),
		newSchemaCmd(a),
		newImagetoolsCmd(a),
		newGraphCmd(a),
		newPluginMetadataCmd(a),
		newBuilderCmd(a),
		newDoctorCmd(a),
	)
	return cmd
}
