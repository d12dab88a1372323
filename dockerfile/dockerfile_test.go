package dockerfile_test

import (
	"testing"

	"github.com/containerd/platforms"
	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/dockerfile"
)

var (
	amd64 = platforms.MustParse("linux/amd64")
	arm64 = platforms.MustParse("linux/arm64")
)

// crossOnAmd64 reports whether building stage of dockerfile for
// linux/arm64 on a linux/amd64 builder runs every RUN step natively.
func crossOnAmd64(t *testing.T, data string, b dockerfile.Build) (bool, error) {
	t.Helper()
	df, err := dockerfile.Parse([]byte(data))
	if err != nil {
		return false, err
	}
	b.Platform, b.BuildPlatform = arm64, amd64
	stages, err := df.Stages(b)
	if err != nil {
		return false, err
	}
	for _, s := range stages {
		if len(s.Runs) > 0 && platforms.Format(s.Platform) != "linux/amd64" {
			return false, nil
		}
	}
	return true, nil
}

func TestStagesCrossCompile(t *testing.T) {
	const cross = "FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n"
	for _, tc := range []struct {
		name, dockerfile string
		build            dockerfile.Build
		want             bool
	}{
		{"no RUN at all", "FROM busybox\nCOPY x /x\n", dockerfile.Build{}, true},
		{"RUN on the target platform", "FROM golang\nRUN go build\n", dockerfile.Build{}, false},
		{"build stage on the build platform", cross, dockerfile.Build{}, true},
		{"braced BUILDPLATFORM, lower-case as", "from --platform=${BUILDPLATFORM} golang as Build\nrun go build\nfrom busybox\ncopy --from=build /app /app\n", dockerfile.Build{}, true},
		{"final stage runs too", "FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build\nFROM busybox\nCOPY --from=build /app /app\nRUN chmod +x /app\n", dockerfile.Build{}, false},
		{"inherits the build platform from a stage", "FROM --platform=$BUILDPLATFORM golang AS base\nFROM base AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n", dockerfile.Build{}, true},
		{"a stage's own --platform yields to its base stage's", "FROM golang AS base\nFROM --platform=$BUILDPLATFORM base\nRUN go build\n", dockerfile.Build{}, false},
		{"an unused emulated stage does not count", "FROM golang AS slow\nRUN go build\nFROM --platform=$BUILDPLATFORM golang AS fast\nRUN go build\nFROM scratch AS out\nCOPY --from=fast /a /a\n", dockerfile.Build{Target: "out"}, true},
		{"the requested stage is the emulated one", "FROM golang AS slow\nRUN go build\nFROM scratch AS out\n", dockerfile.Build{Target: "slow"}, false},
		{"the target stage in any case", "FROM --platform=$BUILDPLATFORM golang AS Fast\nRUN go build\nFROM golang\nRUN x\n", dockerfile.Build{Target: "FAST"}, true},
		{"a mount from an emulated stage", "FROM golang AS deps\nRUN go mod download\nFROM --platform=$BUILDPLATFORM golang AS build\nRUN --mount=type=cache,from=deps,target=/x go build\n", dockerfile.Build{}, false},
		{"copy from a stage by index", "FROM golang\nRUN go build\nFROM scratch\nCOPY --from=0 /a /a\n", dockerfile.Build{}, false},
		{"copy from an image", "FROM scratch\nCOPY --from=golang:1.26 /usr/local/go /go\n", dockerfile.Build{}, true},
		{"continued lines and comments", "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM \\\n  golang AS build\nRUN go build \\\n  -o /app\nFROM scratch\nCOPY --from=build /app /app\n", dockerfile.Build{}, true},
		{"an escape directive", "# escape=`\nFROM --platform=$BUILDPLATFORM `\n  golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /app /app\n", dockerfile.Build{}, true},
		{"heredoc bodies are not instructions", "FROM --platform=$BUILDPLATFORM golang AS build\nRUN <<EOF\nFROM evil\nRUN nope\nEOF\nFROM scratch\nCOPY --from=build /a /a\n", dockerfile.Build{}, true},
		// What a line scanner cannot follow: the platform through an ARG.
		{"FROM --platform through a global ARG", "ARG BP=$BUILDPLATFORM\nFROM --platform=$BP golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n", dockerfile.Build{}, true},
		{"that ARG set to the target platform by a build argument", "ARG BP=$BUILDPLATFORM\nFROM --platform=$BP golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n",
			dockerfile.Build{Args: map[string]string{"BP": "linux/arm64"}}, false},
		{"a literal platform the builder runs", "FROM --platform=linux/amd64 golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n", dockerfile.Build{}, true},
		{"a base stage chosen by an ARG", "ARG FROM=fast\nFROM golang AS slow\nRUN go build\nFROM --platform=$BUILDPLATFORM golang AS fast\nRUN go build\nFROM ${FROM}\n", dockerfile.Build{}, true},
		{"and by a build argument", "ARG FROM=fast\nFROM golang AS slow\nRUN go build\nFROM --platform=$BUILDPLATFORM golang AS fast\nRUN go build\nFROM ${FROM}\n",
			dockerfile.Build{Args: map[string]string{"FROM": "slow"}}, false},
		{"a base stage per target architecture", "FROM --platform=$BUILDPLATFORM golang AS build-arm64\nRUN go build\nFROM golang AS build-riscv64\nRUN gcc\nFROM build-$TARGETARCH\n", dockerfile.Build{}, true},
		{"a named context replaces an emulated stage", "FROM golang AS deps\nRUN go mod download\nFROM scratch\nCOPY --from=deps /go /go\n",
			dockerfile.Build{Contexts: []string{"deps"}}, true},
		{"ONBUILD RUN of a base stage runs in the stage built on it", "FROM --platform=$BUILDPLATFORM golang AS tpl\nONBUILD RUN make\nFROM tpl\n", dockerfile.Build{}, true},
		{"ONBUILD RUN triggered on the target platform", "FROM golang AS tpl\nONBUILD RUN make\nFROM tpl\n", dockerfile.Build{}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := crossOnAmd64(t, tc.dockerfile, tc.build)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("cross-compiles = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestStages: what a base-image check needs, per target and platform:
// the stages in Dockerfile order, their FROM images (build arguments
// expanded) and platforms, and the lines of their RUN steps.
func TestStages(t *testing.T) {
	df, err := dockerfile.Parse([]byte(`# syntax=docker/dockerfile:1
ARG GO_VERSION=1.25
ARG REGISTRY
FROM --platform=$BUILDPLATFORM ${REGISTRY}golang:${GO_VERSION} AS build
ARG TARGETARCH
RUN GOARCH=$TARGETARCH go build -o /out/app .

FROM alpine:3.20 AS unused
RUN apk add curl

FROM build AS test
RUN go test ./...

FROM base
COPY --from=build /out/app /app
COPY --from=test /etc/passwd /tmp/
RUN --mount=from=busybox,target=/bb /bb/true
`))
	if err != nil {
		t.Fatal(err)
	}
	got, err := df.Stages(dockerfile.Build{
		Platform: arm64, BuildPlatform: amd64, Contexts: []string{"base"},
		Args: map[string]string{"GO_VERSION": "1.26", "REGISTRY": "mirror.test/", "UNRELATED": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []dockerfile.Stage{
		{Index: 0, Name: "build", Label: "build", Line: 4, From: "mirror.test/golang:1.26", FromStage: -1, Platform: amd64, FilesOnly: true,
			Runs: []dockerfile.Run{{Stage: 0, Line: 6, Command: "RUN GOARCH=$TARGETARCH go build -o /out/app .", Step: "[build 2/2] ", Toolchain: "go build"}}},
		{Index: 2, Name: "test", Label: "test", Line: 11, FromStage: 0, Platform: amd64, FilesOnly: true,
			Runs: []dockerfile.Run{{Stage: 2, Line: 12, Command: "RUN go test ./...", Step: "[test 1/1] ", Toolchain: "go build"}}},
		{Index: 3, Label: "stage-3", Line: 14, From: "base", FromStage: -1, FromContext: true, Platform: arm64,
			Runs:    []dockerfile.Run{{Stage: 3, Line: 17, Command: "RUN --mount=from=busybox,target=/bb /bb/true", Step: "[stage-3 4/4] "}},
			Sources: []dockerfile.Source{{Name: "busybox", Line: 17, Platform: arm64}}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("stages (-want +got):\n%s", d)
	}
	// The parsed Dockerfile is not changed by a build: the defaults hold.
	again, err := df.Stages(dockerfile.Build{Platform: arm64, BuildPlatform: amd64})
	if err != nil {
		t.Fatal(err)
	}
	if again[0].From != "golang:1.25" {
		t.Errorf("a later build sees FROM %q, want golang:1.25", again[0].From)
	}
}

func TestStagesErrors(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile string
		build            dockerfile.Build
		want             string
	}{
		{"unknown target", "FROM busybox AS a\n", dockerfile.Build{Target: "b"}, `target stage "b" could not be found`},
		{"a variable in COPY --from", "ARG V=a\nFROM busybox AS a\nFROM scratch\nCOPY --from=${V} /x /x\n", dockerfile.Build{}, "line 4: variable expansion is not supported for --from"},
		{"a stage index out of range", "FROM scratch\nCOPY --from=3 /x /x\n", dockerfile.Build{}, "line 2: invalid stage index 3"},
		{"a platform that does not parse", "FROM --platform=linux/arm64/v8/x busybox\n", dockerfile.Build{}, `line 1: FROM --platform=linux/arm64/v8/x: "linux/arm64/v8/x": cannot parse platform specifier: invalid argument`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			df, err := dockerfile.Parse([]byte(tc.dockerfile))
			if err != nil {
				t.Fatal(err)
			}
			tc.build.Platform, tc.build.BuildPlatform = arm64, amd64
			if _, err := df.Stages(tc.build); err == nil || err.Error() != tc.want {
				t.Errorf("err = %v, want %s", err, tc.want)
			}
		})
	}
	for _, bad := range []string{"", "# only a comment\n", "RUN x\n", "FROM\n"} {
		if _, err := dockerfile.Parse([]byte(bad)); err == nil {
			t.Errorf("Parse(%q): no error", bad)
		}
	}
}

// FuzzStages checks that BuildKit's parser and the stage walk never panic
// on what a user may write.
func FuzzStages(f *testing.F) {
	f.Add([]byte("FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n"), "")
	f.Add([]byte("ARG A=b\nFROM a AS b\nRUN <<EOF\nx\nEOF\nCOPY --from=0 / /\nFROM ${A}\nONBUILD RUN x\n"), "b")
	f.Fuzz(func(t *testing.T, data []byte, stage string) {
		df, err := dockerfile.Parse(data)
		if err != nil {
			return
		}
		_, _ = df.Stages(dockerfile.Build{Target: stage, Platform: arm64, BuildPlatform: amd64,
			Args: map[string]string{"A": stage}})
	})
}
