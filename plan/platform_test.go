package plan_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/xbake/xbake/plan"
)

func TestParsePlatform(t *testing.T) {
	tests := []struct {
		in   string
		want string // canonical spelling, or "" when invalid
	}{
		{"linux/amd64", "linux/amd64"},
		{"linux/amd64/v1", "linux/amd64"},
		{"linux/x86_64", "linux/amd64"},
		{"Linux/AMD64", "linux/amd64"},
		{"linux/amd64/v3", "linux/amd64/v3"},
		{"linux/arm64", "linux/arm64"},
		{"linux/arm64/v8", "linux/arm64"},
		{"linux/aarch64", "linux/arm64"},
		{"linux/arm64/v8.2", "linux/arm64/v8.2"},
		{"linux/arm64/v9.0", "linux/arm64/v9"},
		{"linux/arm", "linux/arm/v7"},
		{"linux/arm/v7", "linux/arm/v7"},
		{"linux/arm/7", "linux/arm/v7"},
		{"linux/armhf", "linux/arm/v7"},
		{"linux/arm/v6", "linux/arm/v6"},
		{"linux/armel", "linux/arm/v6"},
		{"linux/i386", "linux/386"},
		{"linux/riscv64", "linux/riscv64"},
		{"linux/ppc64le", "linux/ppc64le"},
		{"linux/s390x", "linux/s390x"},
		{"linux/loong64", "linux/loong64"},
		{"linux/mips64le", "linux/mips64le"},
		{"macos/arm64", "darwin/arm64"},
		{"windows/amd64", "windows/amd64"},
		{"windows(10.0.17763)/amd64", "windows(10.0.17763)/amd64"},
		{"linux/riscv64/rva22u64", "linux/riscv64/rva22u64"},
		{"", ""},
		{"linux", ""},
		{"arm64", ""},
		{"local", ""},
		{"linux/amd46", ""},
		{"lnux/amd64", ""},
		{"linux/arm/v9", ""},
		{"linux//amd64", ""},
		{"linux/amd64/", ""},
		{"linux/arm/v7/x", ""},
		{"linux/*", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, got, err := plan.ParsePlatform(tc.in)
			if tc.want == "" {
				var perr *plan.PlatformError
				if !errors.As(err, &perr) {
					t.Fatalf("ParsePlatform(%q) = %q, %v; want a *PlatformError", tc.in, got, err)
				}
				if perr.Input != tc.in {
					t.Errorf("Input = %q, want %q", perr.Input, tc.in)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("ParsePlatform(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
			// Canonical spellings are fixed points.
			if _, again, err := plan.ParsePlatform(got); err != nil || again != got {
				t.Errorf("ParsePlatform(%q) = %q, %v; want it unchanged", got, again, err)
			}
		})
	}
}

func TestParsePlatformErrors(t *testing.T) {
	tests := []struct {
		in, summary, detail string
	}{
		{"", "Invalid platform",
			`The platform is empty. Write "os/arch[/variant]", for example "linux/amd64".`},
		{"linux/" + strings.Repeat("a", 120000), "Invalid platform",
			`The platform is 120006 bytes long, which no platform is. Write "os/arch[/variant]", for example "linux/amd64".`},
		{"linux", "Incomplete platform",
			`"linux" names only an operating system. Write "os/arch", for example "linux/amd64", so the plan does not depend on the machine running xbake.`},
		{"windows", "Incomplete platform",
			`"windows" names only an operating system. Write "os/arch", for example "windows/amd64", so the plan does not depend on the machine running xbake.`},
		{"arm64", "Incomplete platform",
			`"arm64" names only an architecture. Write "os/arch", for example "linux/arm64", so the plan does not depend on the machine running xbake.`},
		{"aarch64", "Incomplete platform",
			`"aarch64" names only an architecture. Write "os/arch", for example "linux/arm64", so the plan does not depend on the machine running xbake.`},
		{"armv7", "Invalid platform",
			`"armv7" is neither an operating system nor an architecture. Did you mean "linux/arm/v7"?`},
		{"amd46", "Invalid platform",
			`"amd46" is neither an operating system nor an architecture. Did you mean "linux/amd64"?`},
		{"banana", "Invalid platform",
			`"banana" is neither an operating system nor an architecture. Write "os/arch[/variant]", for example "linux/amd64".`},
		{"linux/amd46", "Invalid platform",
			`"linux/amd46" has an unknown architecture "amd46". Did you mean "linux/amd64"?`},
		{"linux/arm46", "Invalid platform",
			`"linux/arm46" has an unknown architecture "arm46". Did you mean "linux/arm64"?`},
		{"linux/armv7", "Invalid platform",
			`"linux/armv7" has an unknown architecture "armv7". Did you mean "linux/arm/v7"?`},
		{"linux/arm64v8", "Invalid platform",
			`"linux/arm64v8" has an unknown architecture "arm64v8". Did you mean "linux/arm64"?`},
		{"linux/sparc128", "Invalid platform",
			`"linux/sparc128" has an unknown architecture "sparc128". Did you mean "linux/sparc"?`},
		{"linux/vax", "Invalid platform",
			`"linux/vax" has an unknown architecture "vax". Common architectures are amd64, arm64, arm, 386, riscv64, ppc64le and s390x.`},
		{"lnux/amd64", "Invalid platform",
			`"lnux/amd64" has an unknown operating system "lnux". Did you mean "linux/amd64"?`},
		{"lnux/amd46", "Invalid platform",
			`"lnux/amd46" has an unknown operating system "lnux" and an unknown architecture "amd46". Did you mean "linux/amd64"?`},
		{"beos/amd64", "Invalid platform",
			`"beos/amd64" has an unknown operating system "beos". Common operating systems are linux, windows, darwin and freebsd.`},
		{"linux/arm/v9", "Invalid platform",
			`"linux/arm/v9" has an unknown variant "v9" for architecture "arm". Variants of arm are v5, v6, v7 and v8.`},
		{"linux/arm/v4", "Invalid platform",
			`"linux/arm/v4" has an unknown variant "v4" for architecture "arm". Variants of arm are v5, v6, v7 and v8.`},
		{"linux/arm64/v7", "Invalid platform",
			`"linux/arm64/v7" has an unknown variant "v7" for architecture "arm64". Did you mean "linux/arm/v7"?`},
		{"linux/arm64/8.1", "Invalid platform",
			`"linux/arm64/8.1" has an unknown variant "8.1" for architecture "arm64". Did you mean "linux/arm64/v8.1"?`},
		{"linux/amd64/x86-64-v3", "Invalid platform",
			`"linux/amd64/x86-64-v3" has an unknown variant "x86-64-v3" for architecture "amd64". Variants of amd64 are v1, v2, v3 and v4.`},
		{"linux//amd64", "Invalid platform",
			`"linux//amd64" is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`},
		{"linux/arm/v7/x", "Invalid platform",
			`"linux/arm/v7/x" is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			_, _, err := plan.ParsePlatform(tc.in)
			var perr *plan.PlatformError
			if !errors.As(err, &perr) {
				t.Fatalf("ParsePlatform(%q) error = %v, want a *PlatformError", tc.in, err)
			}
			if perr.Summary != tc.summary || perr.Detail != tc.detail {
				t.Errorf("ParsePlatform(%q):\n got %s: %s\nwant %s: %s", tc.in, perr.Summary, perr.Detail, tc.summary, tc.detail)
			}
		})
	}
}
