package dockerfile_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/xbake/xbake/dockerfile"
)

// TestToolchains: a RUN step is matched by the commands it runs, not by
// the words it mentions.
func TestToolchains(t *testing.T) {
	for run, want := range map[string]string{
		"RUN go build -o /app .":                                "go build",
		"RUN CGO_ENABLED=0 GOOS=linux go build ./cmd/x":         "go build",
		"RUN go mod download && go install ./tools/...":         "go build",
		"RUN go mod download":                                   "",
		"RUN cargo build --release":                             "cargo build",
		"RUN ./configure --prefix=/usr && make && make install": "gcc/make",
		"RUN gcc -O2 -o hello hello.c":                          "gcc/make",
		"RUN apt-get update && apt-get install -y gcc make":     "",
		"RUN npm ci --omit=dev":                                 "npm ci",
		"RUN yarn":                                              "npm ci",
		"RUN pip install -r requirements.txt":                   "pip install",
		"RUN python3 -m pip install .":                          "pip install",
		"RUN echo go build":                                     "",
		"RUN sudo make":                                         "gcc/make",
		"RUN [\"/usr/local/go/bin/go\", \"build\", \".\"]":      "go build",
		"RUN <<EOF\nset -e\ncd /src\nmake all\nEOF\n":           "gcc/make",
		"RUN pip install x && go build .":                       "go build", // the first of Toolchains
	} {
		df, err := dockerfile.Parse([]byte("FROM x\n" + run + "\n"))
		if err != nil {
			t.Fatal(err)
		}
		stages, err := df.Stages(dockerfile.Build{Platform: arm64, BuildPlatform: amd64})
		if err != nil {
			t.Fatal(err)
		}
		if got := stages[0].Runs[0].Toolchain; got != want {
			t.Errorf("%q: toolchain %q, want %q", run, got, want)
		}
		if want != "" && dockerfile.ToolchainAdvice(want) == "" {
			t.Errorf("%q: no advice", want)
		}
	}
}

// TestRunSteps: the progress names of RUN steps, as BuildKit's frontend
// numbers them (checked against a real build in the examples' tests).
func TestRunSteps(t *testing.T) {
	for _, tc := range []struct {
		name, dockerfile string
		want             []string
	}{
		{"one stage: no label", "FROM x\nWORKDIR /src\nCOPY . .\nRUN a\nRUN b\n", []string{"[4/5] ", "[5/5] "}},
		{"a WORKDIR of / makes no step", "FROM x\nWORKDIR /\nRUN a\n", []string{"[2/3] "}},
		{"scratch has no FROM step; one stage has no label, named or not", "FROM scratch AS s\nCOPY a /a\nRUN a\n", []string{"[2/2] "}},
		{"ten steps or more pad the number", "FROM x\n" + repeat("RUN a\n", 10), []string{
			"[ 2/11] ", "[ 3/11] ", "[ 4/11] ", "[ 5/11] ", "[ 6/11] ", "[ 7/11] ", "[ 8/11] ", "[ 9/11] ", "[10/11] ", "[11/11] "}},
		{"a stage on a stage has no FROM step", "FROM x AS a\nFROM a\nRUN b\n", []string{"[stage-1 1/1] "}},
		{"a COPY --from image is a stage of its own", "FROM x\nCOPY --from=y / /\nRUN a\n", []string{"[stage-0 3/3] "}},
		{"after ONBUILD triggers: unknown", "FROM x AS a\nONBUILD RUN make\nFROM a\nRUN b\n", []string{"", ""}},
	} {
		df, err := dockerfile.Parse([]byte(tc.dockerfile))
		if err != nil {
			t.Fatal(err)
		}
		stages, err := df.Stages(dockerfile.Build{Platform: arm64, BuildPlatform: amd64})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, s := range stages {
			for _, r := range s.Runs {
				got = append(got, r.Step)
			}
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("%s: steps (-want +got):\n%s", tc.name, d)
		}
	}
}

func repeat(s string, n int) string {
	out := ""
	for range n {
		out += s
	}
	return out
}
