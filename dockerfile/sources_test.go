package dockerfile_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/dockerfile"
)

// What a build reads from registries and the network, for the stages it
// needs only: Images gives FROM images with build arguments expanded,
// COPY --from and RUN --mount=from images, not stages, local named
// contexts or scratch; Fetched the ADD of a URL, a git repository or a
// variable without --checksum.
func TestFetchedAndImages(t *testing.T) {
	const df = `# syntax=docker/dockerfile:1.7
ARG GO=1.26
FROM golang:${GO} AS build
COPY --from=tools:1 /bin/x /x
RUN --mount=from=cache:2,target=/c --mount=from=build,target=/b true
FROM scratch AS unused
COPY --from=never:1 / /
ADD https://example.com/never.tgz /n
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
	tgt := &bake.Target{Name: "app", Contexts: map[string]string{"base": "./base"}}
	stages, err := f.Stages(dockerfile.Build{Platform: amd64, BuildPlatform: amd64, Args: map[string]string{"GO": "1.25"}, Contexts: []string{"base"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.Fetched(stages), []string{"https://example.com/a.tgz", "${SRC}"}; !slices.Equal(got, want) {
		t.Errorf("Fetched = %q, want %q", got, want)
	}
	var refs []string
	for _, im := range dockerfile.Images(tgt, stages) {
		refs = append(refs, im.Ref)
	}
	slices.Sort(refs)
	if d := cmp.Diff([]string{"cache:2", "golang:1.25", "tools:1"}, refs); d != "" {
		t.Errorf("Images (-want +got):\n%s", d)
	}
	if got := dockerfile.SyntaxImage([]byte(df)); got != "docker/dockerfile:1.7" {
		t.Errorf("syntax image %q", got)
	}
	if got := dockerfile.SyntaxImage([]byte("FROM scratch\n")); got != "" {
		t.Errorf("syntax image %q without a directive", got)
	}
}
