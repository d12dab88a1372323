package plan

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	xhcl "github.com/xbake/xbake/hcl"
)

// PlatformError says why a platform specifier was rejected, in the words of
// a diagnostic.
type PlatformError struct {
	Input   string // the specifier as written
	Summary string // "Invalid platform", "Incomplete platform"
	Detail  string // full sentences ending with a remedy or "Did you mean ...?"
}

func (e *PlatformError) Error() string {
	return strings.ToLower(e.Summary) + ": " + strings.TrimSuffix(e.Detail, ".")
}

// ParsePlatform parses one specifier ("linux/arm64", "linux/arm/v7",
// "windows(10.0.17763)/amd64") and returns it normalised with its canonical
// spelling, which is the spelling of node IDs. Aliases that containerd
// understands are accepted ("linux/aarch64", "linux/arm64/v8" and
// "linux/arm64" are all "linux/arm64"; "linux/arm" is "linux/arm/v7").
//
// Unlike containerd's Parse it never consults the host: a specifier with
// one component ("linux", "arm64") is an error instead of being completed
// from runtime.GOOS or runtime.GOARCH, and the operating system, the
// architecture and (for amd64, arm and arm64) the variant must be known.
// "local" is not handled here: it means Request.DefaultPlatform.
func ParsePlatform(s string) (ocispec.Platform, string, error) {
	p, err := parsePlatform(s)
	if err != nil {
		return ocispec.Platform{}, "", err
	}
	return p, FormatPlatform(p), nil
}

// FormatPlatform returns the canonical spelling of a platform: containerd's
// FormatAll of its normalised form, which keeps a Windows OS version so
// that different releases stay different platforms, as buildx does.
func FormatPlatform(p ocispec.Platform) string {
	if p.OS == "" {
		// Normalize would fill in the host's OS.
		return "unknown"
	}
	return platforms.FormatAll(platforms.Normalize(p))
}

// maxPlatformLen is far above any real specifier, with a Windows OS
// version ("windows(10.0.17763.5820)/amd64/v3").
const maxPlatformLen = 256

func parsePlatform(s string) (ocispec.Platform, *PlatformError) {
	if s == "" {
		return ocispec.Platform{}, &PlatformError{s, "Invalid platform",
			`The platform is empty. Write "os/arch[/variant]", for example "linux/amd64".`}
	}
	if len(s) > maxPlatformLen {
		// Not quoted: a message must not repeat a value of any size.
		return ocispec.Platform{}, &PlatformError{s, "Invalid platform", fmt.Sprintf(
			`The platform is %d bytes long, which no platform is. Write "os/arch[/variant]", for example "linux/amd64".`, len(s))}
	}
	if !strings.Contains(s, "/") {
		return ocispec.Platform{}, incomplete(s)
	}
	p, err := platforms.Parse(s)
	if err != nil {
		return ocispec.Platform{}, &PlatformError{s, "Invalid platform", fmt.Sprintf(
			`%q is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`, s)}
	}
	p = platforms.Normalize(p)
	if perr := checkKnown(s, p); perr != nil {
		return ocispec.Platform{}, perr
	}
	return p, nil
}

// incomplete explains a one-component specifier, which containerd would
// complete from the machine running xbake.
func incomplete(s string) *PlatformError {
	const why = ", so the plan does not depend on the machine running xbake."
	lower := strings.ToLower(s)
	if os, _, _ := strings.Cut(lower, "("); isKnownOS(os) || os == "macos" {
		return &PlatformError{s, "Incomplete platform", fmt.Sprintf(
			`%q names only an operating system. Write "os/arch", for example %q`+why, s, exampleFor(os))}
	}
	if p, err := parsePlatform("linux/" + s); err == nil {
		return &PlatformError{s, "Incomplete platform", fmt.Sprintf(
			`%q names only an architecture. Write "os/arch", for example %q`+why, s, FormatPlatform(p))}
	}
	detail := fmt.Sprintf(`%q is neither an operating system nor an architecture.`, s)
	if arch := closestArch(lower); arch != "" {
		detail += fmt.Sprintf(" Did you mean %q?", "linux/"+arch)
	} else if os := xhcl.Suggest(lower, knownOSes); os != "" {
		detail += fmt.Sprintf(" Did you mean %q?", exampleFor(os))
	} else {
		detail += ` Write "os/arch[/variant]", for example "linux/amd64".`
	}
	return &PlatformError{s, "Invalid platform", detail}
}

func exampleFor(os string) string {
	switch os {
	case "windows":
		return "windows/amd64"
	case "darwin", "macos":
		return "darwin/arm64"
	}
	return os + "/amd64"
}

// checkKnown rejects what containerd lets through: it accepts any word as
// an operating system or an architecture ("linux/amd46").
func checkKnown(s string, p ocispec.Platform) *PlatformError {
	var problems []string
	fixed := p
	fixable := true
	if !isKnownOS(p.OS) {
		problems = append(problems, fmt.Sprintf("an unknown operating system %q", p.OS))
		fixed.OS = xhcl.Suggest(p.OS, knownOSes)
		fixable = fixable && fixed.OS != ""
	}
	switch {
	case !isKnownArch(p.Architecture):
		problems = append(problems, fmt.Sprintf("an unknown architecture %q", p.Architecture))
		fixed.Architecture, fixed.Variant = closestArchVariant(p.Architecture, p.Variant)
		fixable = fixable && fixed.Architecture != ""
	case !isKnownVariant(p.Architecture, p.Variant):
		problems = append(problems, fmt.Sprintf("an unknown variant %q for architecture %q", p.Variant, p.Architecture))
		if p.Architecture == "arm64" && isKnownVariant("arm", p.Variant) {
			// "arm64/v7" is most likely the 32-bit "arm/v7".
			fixed.Architecture = "arm"
		} else {
			fixed.Variant = xhcl.Suggest(p.Variant, namedVariants(p.Architecture))
			fixable = fixable && fixed.Variant != ""
		}
	}
	if len(problems) == 0 {
		return nil
	}
	detail := fmt.Sprintf("%q has %s.", s, andList(problems))
	if fixable {
		if _, canon, err := ParsePlatform(platforms.FormatAll(fixed)); err == nil {
			return &PlatformError{s, "Invalid platform", detail + fmt.Sprintf(" Did you mean %q?", canon)}
		}
	}
	switch {
	case !isKnownOS(p.OS):
		detail += " Common operating systems are " + andList(knownOSes[:4]) + "."
	case !isKnownArch(p.Architecture):
		detail += " Common architectures are " + andList(knownArches[:7]) + "."
	default:
		detail += fmt.Sprintf(" Variants of %s are %s.", p.Architecture, variantList(p.Architecture))
	}
	return &PlatformError{s, "Invalid platform", detail}
}

// closestArchVariant suggests an architecture, splitting a fused variant
// ("armv7" is arm/v7, "arm64v8" is arm64/v8) before guessing at typos.
func closestArchVariant(arch, variant string) (string, string) {
	if variant == "" {
		for _, base := range []string{"arm64", "amd64", "arm"} {
			rest, ok := strings.CutPrefix(arch, base)
			rest = strings.TrimLeft(rest, "-_")
			if ok && len(rest) > 1 && rest[0] == 'v' && rest[1] >= '0' && rest[1] <= '9' {
				return base, rest
			}
		}
	}
	return xhcl.Suggest(arch, knownArches), variant
}

// closestArch is closestArchVariant for a bare word, as "arch[/variant]".
func closestArch(arch string) string {
	a, v := closestArchVariant(arch, "")
	if a == "" || v == "" {
		return a
	}
	return a + "/" + v
}

// knownOSes are Go's GOOS values (go/build's syslist), most used first so
// that ties in suggestions go to the likelier one.
var knownOSes = []string{
	"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "illumos",
	"solaris", "aix", "android", "dragonfly", "hurd", "ios", "js", "nacl",
	"plan9", "wasip1", "zos",
}

// knownArches are Go's GOARCH values (go/build's syslist), most used first.
var knownArches = []string{
	"amd64", "arm64", "arm", "386", "riscv64", "ppc64le", "s390x",
	"loong64", "mips64le", "mips64", "mipsle", "mips", "ppc64", "wasm",
	"amd64p32", "armbe", "arm64be", "mips64p32", "mips64p32le", "ppc",
	"riscv", "s390", "sparc", "sparc64",
}

// knownVariants are the variants containerd normalises and orders, in
// their normalised spelling ("" is arm64/v8 and amd64/v1). Other
// architectures accept any variant, as containerd does.
var knownVariants = map[string][]string{
	"amd64": {"", "v2", "v3", "v4"},
	"arm":   {"v5", "v6", "v7", "v8"},
	"arm64": {"", "v8.1", "v8.2", "v8.3", "v8.4", "v8.5", "v8.6", "v8.7", "v8.8", "v8.9",
		"v9", "v9.1", "v9.2", "v9.3", "v9.4", "v9.5", "v9.6", "v9.7"},
}

func isKnownOS(os string) bool     { return slices.Contains(knownOSes, os) }
func isKnownArch(arch string) bool { return slices.Contains(knownArches, arch) }

func isKnownVariant(arch, variant string) bool {
	known, ok := knownVariants[arch]
	return !ok || slices.Contains(known, variant)
}

// namedVariants are the known variants that have a spelling of their own.
func namedVariants(arch string) []string {
	return slices.DeleteFunc(slices.Clone(knownVariants[arch]), func(v string) bool { return v == "" })
}

func variantList(arch string) string {
	var vs []string
	for _, v := range knownVariants[arch] {
		if v == "" {
			v = map[string]string{"amd64": "v1", "arm64": "v8"}[arch]
		}
		vs = append(vs, v)
	}
	if len(vs) > 6 {
		vs = append(vs[:3], "…", vs[len(vs)-1])
		return strings.Join(vs, ", ")
	}
	return andList(vs)
}
