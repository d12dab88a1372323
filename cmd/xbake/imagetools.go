//go:build !xbakefront

package main

import (
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/executor/oci"
)

func newImagetoolsCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   imagetoolsUse,
		Short: imagetoolsShort,
		Long: `Work on image indexes (manifest lists) in a registry, as "docker buildx
imagetools" does. Credentials come from the docker config file
($DOCKER_CONFIG/config.json or ~/.docker/config.json, with its credential
helpers); loopback registries are reached over plain HTTP.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usageErrorf("unknown command %q for %q\nRun '%s --help' for usage.", args[0], cmd.CommandPath(), cmd.CommandPath())
			}
			return cmd.Help()
		},
	}
	cmd.AddCommand(newImagetoolsInspectCmd(a), newImagetoolsCreateCmd(a))
	return cmd
}

// registryClient is a registry client of this run: xbake's timeouts, the
// credentials of the docker config the app's environment names, and opts
// (retries, registries that speak plain http).
func (a *app) registryClient(opts ...oci.Option) *oci.Client {
	opts = append([]oci.Option{oci.WithTimeouts(httpTimeouts)}, opts...)
	if dir := a.getenv("DOCKER_CONFIG"); dir != "" {
		opts = append(opts, oci.WithDockerConfig(dir))
	}
	return oci.NewClient(opts...)
}

// checkRefs rejects malformed references as invalid usage, before any
// registry is contacted.
func checkRefs(what string, refs []string) error {
	for _, r := range refs {
		if _, err := name.ParseReference(r); err != nil {
			return usageErrorf("invalid %s %q: %v", what, r, err)
		}
	}
	return nil
}
