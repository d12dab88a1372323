package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"

	// Links BuildKit's module, so that the build info names its version
	// in the front build too, which links no other BuildKit package.
	_ "github.com/moby/buildkit/version"
	"github.com/spf13/cobra"
)

// Stamped at link time by make release (scripts/release.sh):
//
//	-ldflags "-X main.version=v1.2.3 -X main.commit=<sha> -X main.date=<RFC 3339>"
//
// A binary built with go build or go install has none of them and is
// described by its build information instead (see buildVersion).
var (
	version string
	commit  string
	date    string
)

// buildInfo says what this binary is.
type buildInfo struct {
	Version  string // "v1.2.3", a Go pseudo-version, or "dev"
	Commit   string // the full revision; "" when unknown
	Date     string // commit (or build) time, RFC 3339; "" when unknown
	Modified bool   // built from a work tree with uncommitted changes
}

func currentBuild() buildInfo {
	bi, _ := debug.ReadBuildInfo()
	return buildVersion(version, commit, date, bi)
}

// buildVersion prefers the link-time stamp; what it lacks comes from the
// Go build information: the module version (go install m@v1.2.3 sets it;
// go build in a git clone sets a pseudo-version) and the vcs.* settings
// go build records from the clone.
func buildVersion(version, commit, date string, bi *debug.BuildInfo) buildInfo {
	b := buildInfo{Version: version, Commit: commit, Date: date}
	if bi != nil {
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		stamped := commit != ""
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && b.Commit == "":
				b.Commit = s.Value
			case s.Key == "vcs.time" && b.Date == "":
				b.Date = s.Value
			case s.Key == "vcs.modified" && !stamped:
				b.Modified = s.Value == "true"
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	return b
}

// String is the line of "xbake version" and "xbake --version":
//
//	xbake v1.2.3 (commit 0123456789ab, 2025-01-02T03:04:05Z; buildkit v0.34.2, go1.26.8, linux/amd64)
func (b buildInfo) String() string {
	var about []string
	if b.Commit != "" {
		c := b.Commit[:min(12, len(b.Commit))]
		if b.Modified {
			c += "-dirty"
		}
		about = append(about, "commit "+c)
	}
	if b.Date != "" {
		about = append(about, b.Date)
	}
	runtimeInfo := fmt.Sprintf("buildkit %s, %s, %s/%s", moduleVersion("github.com/moby/buildkit"), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if len(about) == 0 {
		return fmt.Sprintf("xbake %s (%s)", b.Version, runtimeInfo)
	}
	return fmt.Sprintf("xbake %s (%s; %s)", b.Version, strings.Join(about, ", "), runtimeInfo)
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of xbake, its commit, and the BuildKit client it uses",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), currentBuild())
			return err
		},
	}
}

// moduleVersion is the version of a dependency linked into this binary.
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
