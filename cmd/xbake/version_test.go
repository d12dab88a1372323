package main

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestBuildVersion(t *testing.T) {
	vcs := &debug.BuildInfo{
		Main: debug.Module{Version: "v0.0.0-20250102030405-0123456789ab+dirty"},
		Settings: []debug.BuildSetting{
			{Key: "vcs", Value: "git"},
			{Key: "vcs.revision", Value: "0123456789abcdef0123456789abcdef01234567"},
			{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name                  string
		version, commit, date string
		bi                    *debug.BuildInfo
		want                  buildInfo
	}{{
		name:    "stamped by make release",
		version: "v1.2.3", commit: "fedcba9876543210fedcba9876543210fedcba98", date: "2025-02-03T04:05:06Z",
		bi:   vcs,
		want: buildInfo{Version: "v1.2.3", Commit: "fedcba9876543210fedcba9876543210fedcba98", Date: "2025-02-03T04:05:06Z"},
	}, {
		name: "go build in a clone",
		bi:   vcs,
		want: buildInfo{Version: "v0.0.0-20250102030405-0123456789ab+dirty", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2025-01-02T03:04:05Z", Modified: true},
	}, {
		name: "go install module@version",
		bi:   &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}},
		want: buildInfo{Version: "v1.4.0"},
	}, {
		name:    "only a version stamped",
		version: "v2.0.0-rc.1",
		bi:      vcs,
		want:    buildInfo{Version: "v2.0.0-rc.1", Commit: "0123456789abcdef0123456789abcdef01234567", Date: "2025-01-02T03:04:05Z", Modified: true},
	}, {
		name: "nothing known",
		bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
		want: buildInfo{Version: "dev"},
	}, {
		name: "no build information",
		want: buildInfo{Version: "dev"},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := buildVersion(tt.version, tt.commit, tt.date, tt.bi)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("buildVersion (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBuildInfoString(t *testing.T) {
	rt := fmt.Sprintf("buildkit %s, %s, %s/%s", moduleVersion("github.com/moby/buildkit"), runtime.Version(), runtime.GOOS, runtime.GOARCH)
	tests := []struct {
		in   buildInfo
		want string
	}{
		{buildInfo{Version: "v1.2.3", Commit: "fedcba9876543210fedcba98", Date: "2025-02-03T04:05:06Z"},
			"xbake v1.2.3 (commit fedcba987654, 2025-02-03T04:05:06Z; " + rt + ")"},
		{buildInfo{Version: "v1.2.3", Commit: "fedcba9876543210fedcba98", Modified: true},
			"xbake v1.2.3 (commit fedcba987654-dirty; " + rt + ")"},
		{buildInfo{Version: "dev"}, "xbake dev (" + rt + ")"},
	}
	for _, tt := range tests {
		if got := tt.in.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}

// TestVersionCommandAndFlag: "xbake version" and "xbake --version" print
// the same line.
func TestVersionCommandAndFlag(t *testing.T) {
	want := currentBuild().String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, stdout, stderr := runCLI(t, t.TempDir(), nil, args...)
		if code != exitOK || stdout != want || stderr != "" {
			t.Errorf("xbake %s: exit %d, stdout %q, stderr %q; want 0, %q", strings.Join(args, " "), code, stdout, stderr, want)
		}
	}
}
