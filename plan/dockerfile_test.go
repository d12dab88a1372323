package plan

import "testing"

func TestCrossCompiles(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile, stage string
		want                    bool
	}{
		{"no RUN at all", "FROM busybox\nCOPY x /x\n", "", true},
		{"RUN on the target platform", "FROM golang\nRUN go build\n", "", false},
		{"build stage on the build platform", "FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build -o /app\nFROM scratch\nCOPY --from=build /app /app\n", "", true},
		{"braced BUILDPLATFORM, lower-case as", "from --platform=${BUILDPLATFORM} golang as Build\nrun go build\nfrom busybox\ncopy --from=build /app /app\n", "", true},
		{"final stage runs too", "FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build\nFROM busybox\nCOPY --from=build /app /app\nRUN chmod +x /app\n", "", false},
		{"inherits the build platform from a stage", "FROM --platform=$BUILDPLATFORM golang AS base\nFROM base AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n", "", true},
		{"an unused emulated stage does not count", "FROM golang AS slow\nRUN go build\nFROM --platform=$BUILDPLATFORM golang AS fast\nRUN go build\nFROM scratch AS out\nCOPY --from=fast /a /a\n", "out", true},
		{"the requested stage is the emulated one", "FROM golang AS slow\nRUN go build\nFROM scratch AS out\n", "slow", false},
		{"a mount from an emulated stage", "FROM golang AS deps\nRUN go mod download\nFROM --platform=$BUILDPLATFORM golang AS build\nRUN --mount=type=cache,from=deps,target=/x go build\n", "", false},
		{"copy from a stage by index", "FROM golang\nRUN go build\nFROM scratch\nCOPY --from=0 /a /a\n", "", false},
		{"a stage chosen by an argument", "ARG V=a\nFROM --platform=$BUILDPLATFORM busybox AS a\nFROM scratch\nCOPY --from=${V} /x /x\n", "", false},
		{"continued lines and comments", "# syntax=docker/dockerfile:1\nFROM --platform=$BUILDPLATFORM \\\n  golang AS build\nRUN go build \\\n  -o /app\nFROM scratch\nCOPY --from=build /app /app\n", "", true},
		{"heredoc bodies are not instructions", "FROM --platform=$BUILDPLATFORM golang AS build\nRUN <<EOF\nFROM evil\nRUN nope\nEOF\nFROM scratch\nCOPY --from=build /a /a\n", "", true},
		{"unknown stage", "FROM busybox AS a\n", "b", false},
		{"empty", "", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := CrossCompiles([]byte(tc.dockerfile), tc.stage); got != tc.want {
				t.Errorf("CrossCompiles = %v, want %v", got, tc.want)
			}
		})
	}
}

// FuzzCrossCompiles checks the Dockerfile reader never panics.
func FuzzCrossCompiles(f *testing.F) {
	f.Add([]byte("FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build\nFROM scratch\nCOPY --from=build /a /a\n"), "")
	f.Add([]byte("FROM a AS b\nRUN <<EOF\nx\nEOF\nCOPY --from=0 / /\n"), "b")
	f.Fuzz(func(t *testing.T, dockerfile []byte, stage string) {
		_ = CrossCompiles(dockerfile, stage)
	})
}
