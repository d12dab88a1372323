package main

import (
	"fmt"
	"runtime"
	"runtime/debug"

	// Links BuildKit's module, so that the build info names its version
	// in the front build too, which links no other BuildKit package.
	_ "github.com/moby/buildkit/version"
	"github.com/spf13/cobra"
)

// version is set at link time: -ldflags "-X main.version=v1.2.3".
var version = ""

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of xbake and of the BuildKit client it uses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintf(cmd.OutOrStdout(), "xbake %s (buildkit client %s, %s, %s/%s)\n",
				xbakeVersion(), moduleVersion("github.com/moby/buildkit"), runtime.Version(), runtime.GOOS, runtime.GOARCH)
			return nil
		},
	}
}

func xbakeVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "dev"
}

func moduleVersion(path string) string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, m := range bi.Deps {
		if m.Path == path {
			return m.Version
		}
	}
	return "unknown"
}
