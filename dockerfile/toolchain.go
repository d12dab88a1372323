package dockerfile

import (
	"path"
	"strings"
)

// Toolchain is a compiler or package manager whose work is slow under
// QEMU and that has a known way around it.
type Toolchain struct {
	// Name is how the advice names it: "go build".
	Name string
	// Advice is the cross-compilation pattern for it, one sentence.
	Advice string
}

// Toolchains are the ones toolchain recognises, in the order it tries
// them; their advice follows the README's "Cross-compile or emulate?".
var Toolchains = []Toolchain{
	{"go build", "cross-compile: FROM --platform=$BUILDPLATFORM golang, ARG TARGETOS TARGETARCH TARGETVARIANT, " +
		"RUN CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH GOARM=${TARGETVARIANT#v} go build, then COPY --from the binary into the target stage"},
	{"cargo build", "cross-compile: FROM --platform=$BUILDPLATFORM rust with tonistiigi/xx (COPY --from=tonistiigi/xx / /), " +
		"RUN xx-cargo build --release (it picks the target triple and linker of $TARGETPLATFORM), then COPY --from the binary into the target stage"},
	{"gcc/make", "cross-compile: FROM --platform=$BUILDPLATFORM with a cross toolchain, tonistiigi/xx's xx-clang (CC=xx-clang, xx-apt for target libraries) " +
		"or Debian's gcc-<triple> (CC=aarch64-linux-gnu-gcc, ./configure --host=aarch64-linux-gnu), then COPY --from the result into the target stage"},
	{"npm ci", "install on the build platform: FROM --platform=$BUILDPLATFORM node, RUN npm_config_arch=$TARGETARCH npm ci " +
		"(prebuilt native modules are fetched for the target; node-gyp builds need CC/CXX of a cross toolchain), then COPY node_modules into the target stage"},
	{"pip install", "install wheels, not sdists: in a FROM --platform=$BUILDPLATFORM stage, RUN pip download --only-binary=:all: " +
		"--platform manylinux2014_<arch> --python-version <X.Y> -d /wheels, then RUN pip install --no-index --find-links=/wheels in the target stage"},
}

// ToolchainAdvice returns the advice for a Toolchain name ("" if none).
func ToolchainAdvice(name string) string {
	for _, t := range Toolchains {
		if t.Name == name {
			return t.Advice
		}
	}
	return ""
}

// toolchain returns the Name of the first Toolchain that the shell text
// of a RUN step runs as a command (not merely names, as in "apt-get
// install gcc"), or "".
func toolchain(text string) string {
	found := -1
	for _, cmd := range simpleCommands(text) {
		if k := toolchainOf(cmd); k >= 0 && (found < 0 || k < found) {
			found = k
		}
	}
	if found < 0 {
		return ""
	}
	return Toolchains[found].Name
}

// toolchainOf returns the index in Toolchains of what the simple command
// words runs, or -1.
func toolchainOf(words []string) int {
	if len(words) == 0 {
		return -1
	}
	arg := func(i int) string {
		if i < len(words) {
			return words[i]
		}
		return ""
	}
	switch cmd := path.Base(words[0]); cmd {
	case "go":
		if oneOf(arg(1), "build", "install", "test") {
			return 0
		}
	case "cargo":
		if oneOf(arg(1), "build", "install", "test") {
			return 1
		}
	case "gcc", "g++", "cc", "c++", "clang", "clang++", "make", "gmake", "cmake", "ninja", "meson", "configure":
		return 2
	case "npm", "pnpm":
		if oneOf(arg(1), "ci", "install", "i", "rebuild") {
			return 3
		}
	case "yarn":
		if oneOf(arg(1), "", "install") {
			return 3
		}
	case "pip", "pip3":
		if arg(1) == "install" {
			return 4
		}
	case "python", "python3":
		if arg(1) == "-m" && oneOf(arg(2), "pip", "pip3") && arg(3) == "install" {
			return 4
		}
	}
	return -1
}

func oneOf(s string, set ...string) bool {
	for _, x := range set {
		if s == x {
			return true
		}
	}
	return false
}

// simpleCommands splits shell text into its simple commands (at ;, &,
// |, newlines and parentheses), each as words, without the variable
// assignments and wrappers (env, sudo, exec, time, then, do) in front.
// It is a reading for advice, not a shell parser: quotes are dropped,
// not interpreted.
func simpleCommands(text string) [][]string {
	var out [][]string
	for _, part := range strings.FieldsFunc(text, func(r rune) bool {
		return strings.ContainsRune(";&|\n()`", r)
	}) {
		words := strings.Fields(strings.NewReplacer(`"`, "", `'`, "", `\`, "").Replace(part))
		for len(words) > 0 && (strings.Contains(words[0], "=") || oneOf(words[0], "env", "sudo", "exec", "time", "then", "do", "else", "!", "{")) {
			words = words[1:]
		}
		if len(words) > 0 {
			out = append(out, words)
		}
	}
	return out
}
