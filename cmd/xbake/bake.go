package main

import (
	"context"

	"github.com/spf13/cobra"
)

// bakeOptions are the flags of the main command.
type bakeOptions struct {
	files []string
	sets  []string
	vars  []string
	print bool
	list  string
}

func (o *bakeOptions) addFlags(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "file", "f", nil, "Bake definition file (repeatable; \"-\" reads stdin)")
	f.StringArrayVar(&o.sets, "set", nil, "Override a target value (for example: targetpattern.key=value)")
	f.StringArrayVar(&o.vars, "var", nil, "Set a variable (NAME=value)")
	f.BoolVar(&o.print, "print", false, "Print the resolved definition as JSON and exit")
	f.StringVar(&o.list, "list", "", "List targets or variables (targets, variables, or type=...,format=json)")
}

func runBake(ctx context.Context, a *app, o *bakeOptions, targets []string) error {
	return usageErrorf("couldn't find a bake definition")
}
