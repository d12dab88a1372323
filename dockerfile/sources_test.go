package dockerfile_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/dockerfile"
)

// Sources names what a build reads from registries and the network, for
// the stages it needs only: FROM images with build arguments expanded,
// COPY --from and RUN --mount=from images, not stages, named contexts or
// scratch; ADD of a URL or git repository without --checksum.
func TestSources(t *testing.T) {
	const df = `# syntax=docker/dockerfile:1.7
ARG GO=1.26
FROM golang:${GO} AS build
COPY --from=tools:1 /bin/x /x
RUN --mount=from=cache:2,target=/c --mount=from=build,target=/b true
FROM scratch AS unused
COPY --from=never:1 / /
FROM base AS final
COPY --from=build /out /out
COPY --from=0 /x /y
ADD https://example.com/a.tgz /a
ADD --checksum=sha256:0000000000000000000000000000000000000000000000000000000000000000 https://example.com/b.tgz /b
ADD ${SRC} /src
ADD local.txt /local
FROM scratch
COPY --from=final / /
`
	f, err := dockerfile.Parse([]byte(df))
	if err != nil {
		t.Fatal(err)
	}
	got, err := f.Sources(dockerfile.Build{Platform: amd64, BuildPlatform: amd64, Args: map[string]string{"GO": "1.25"}, Contexts: []string{"base"}})
	if err != nil {
		t.Fatal(err)
	}
	want := &dockerfile.Sources{
		Images: []string{"cache:2", "golang:1.25", "tools:1"},
		Remote: []string{"https://example.com/a.tgz", "${SRC}"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sources (-want +got):\n%s", d)
	}
	if got := dockerfile.SyntaxImage([]byte(df)); got != "docker/dockerfile:1.7" {
		t.Errorf("syntax image %q", got)
	}
	if got := dockerfile.SyntaxImage([]byte("FROM scratch\n")); got != "" {
		t.Errorf("syntax image %q without a directive", got)
	}
	if _, err := f.Sources(dockerfile.Build{Target: "nope", Platform: amd64, BuildPlatform: amd64}); err == nil {
		t.Error("an unknown target stage is no error")
	}
}
