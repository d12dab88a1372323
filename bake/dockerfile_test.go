package bake

import "testing"

func TestDockerfilePath(t *testing.T) {
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name        string
		context, df *string
		inline      bool
		want        string
		wantLocal   bool
	}{
		{name: "defaults", want: "Dockerfile", wantLocal: true},
		{name: "relative to the context", context: s("src"), df: s("build/Dockerfile.app"), want: "src/build/Dockerfile.app", wantLocal: true},
		{name: "cleaned", context: s("./src/"), df: s("./a/../Dockerfile"), want: "src/Dockerfile", wantLocal: true},
		{name: "cwd:// is relative to the working directory", context: s("src"), df: s("cwd://docker/Dockerfile"), want: "docker/Dockerfile", wantLocal: true},
		{name: "cwd:// context", context: s("cwd://src"), want: "src/Dockerfile", wantLocal: true},
		{name: "absolute", context: s("src"), df: s("/abs/Dockerfile"), want: "/abs/Dockerfile", wantLocal: true},
		{name: "in a remote context", context: s("https://github.com/x/y.git#main"), df: s("./build/Dockerfile"), want: "build/Dockerfile"},
		{name: "a local one for a remote context", context: s("https://github.com/x/y.git"), df: s("/abs/Dockerfile"), want: "/abs/Dockerfile", wantLocal: true},
		{name: "cwd:// for a remote context", context: s("git@github.com:x/y.git"), df: s("cwd://Dockerfile"), want: "Dockerfile", wantLocal: true},
		{name: "a URL", df: s("https://example.test/Dockerfile"), want: "https://example.test/Dockerfile"},
		{name: "inline", df: s("Dockerfile"), inline: true},
	} {
		tg := &Target{Context: tc.context, Dockerfile: tc.df}
		if tc.inline {
			tg.DockerfileInline = s("FROM scratch")
		}
		got, local := tg.DockerfilePath()
		if got != tc.want || local != tc.wantLocal {
			t.Errorf("%s: (%q, %v), want (%q, %v)", tc.name, got, local, tc.want, tc.wantLocal)
		}
	}
}
