package main

import (
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/schema"
)

func newSchemaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "schema [bake|print]",
		Short: "Print the JSON Schema of the JSON bake format, or of the --print output",
		Long: `Print a JSON Schema (draft 2020-12) on standard output.

  bake   (the default) the JSON bake format: docker-bake.json, xbuild.json.
         Editors use it for completion and checks; unknown target
         attributes validate, as buildx ignores them.
  print  the output of "xbake --print" (and "docker buildx bake --print").

The same documents are committed as schema/xbake.schema.json and
schema/print.schema.json.`,
		Example: `  # Check a bake file with any JSON Schema validator
  xbake schema > xbake.schema.json

  # The shape of the resolved definition, for tools that read --print
  xbake schema print > print.schema.json`,
		ValidArgs: []string{"bake", "print"},
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usageErrorf("schema takes at most one argument (bake or print), got %d", len(args))
			}
			if len(args) == 1 && schemaGenerator(args[0]) == nil {
				return usageErrorf("unknown schema %q: use bake or print", args[0])
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			gen := schemaGenerator("bake")
			if len(args) == 1 {
				gen = schemaGenerator(args[0])
			}
			out, err := gen()
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(out)
			return err
		},
	}
}

// schemaGenerator returns the generator of the named schema, or nil.
func schemaGenerator(name string) func() ([]byte, error) {
	switch name {
	case "bake":
		return schema.JSONSchema
	case "print":
		return schema.PrintSchema
	}
	return nil
}
