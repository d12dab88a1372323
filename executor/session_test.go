package executor

import (
	"testing"

	"github.com/moby/buildkit/client"
)

// A node shares sessions (local-sessionid) from BuildKit v0.13; one with
// no Info call (before v0.11, docker 20.10's built-in BuildKit) or an
// older version gets each solve's directories in its own session.
func TestSharesSessions(t *testing.T) {
	version := func(v string) *client.Info {
		i := &client.Info{}
		i.BuildkitVersion.Version = v
		return i
	}
	for _, tc := range []struct {
		info *client.Info
		want bool
	}{
		{nil, false},
		{version("v0.11.6"), false},
		{version("v0.12.5"), false},
		{version("v0.13.0"), true},
		{version("v0.34.2"), true},
		{version("v1.0.0"), true},
		{version("0.13.1-rc1"), true},
		{version("d1f3b8c"), true}, // a development build
	} {
		if got := sharesSessions(tc.info); got != tc.want {
			t.Errorf("sharesSessions(%+v) = %v, want %v", tc.info, got, tc.want)
		}
	}
}
