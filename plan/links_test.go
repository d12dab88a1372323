package plan_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/plan"
)

// sdiag is a diagnostic with its severity.
type sdiag struct {
	Severity               string
	Summary, Detail, Range string
}

func sdiagsOf(ds hcl.Diagnostics) []sdiag {
	var out []sdiag
	for _, d := range ds {
		sev := "error"
		if d.Severity == hcl.DiagWarning {
			sev = "warning"
		}
		out = append(out, sdiag{sev, d.Summary, d.Detail, rangeString(d.Subject)})
	}
	return out
}

// TestCheckLinks: the `target:` rules that --print applies are New's
// rules, in New's words; only what needs the builder (the default
// platform, "local") or is New's own (platform syntax) is left out, and a
// single-platform dependent is a warning, as buildx's --print accepts it.
func TestCheckLinks(t *testing.T) {
	multi := []string{"linux/amd64", "linux/arm64"}
	tests := []struct {
		name      string
		targets   []fx
		want      []sdiag
		wantInNew []sdiag // when New says more (nil: the same)
	}{{
		name: "self, cycle and a missing platform: the same diagnostics as New",
		targets: []fx{
			{name: "a", contexts: []kv{{"x", "target:b"}}},
			{name: "b", contexts: []kv{{"y", "target:a"}}},
			{name: "self", contexts: []kv{{"me", "target:self"}}},
			{name: "app", platforms: []string{"linux/amd64", "linux/s390x"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: multi},
		},
		want: []sdiag{
			{"error", "Dependency cycle", `The "target:" contexts of these targets form a cycle: a -> b -> a. Context "y" of target "b" closes it. A target cannot be built from its own result; remove one of these contexts.`, "xbuild.hcl:9:9-9:19"},
			{"error", "Self-referencing context", `Context "me" of target "self" is "target:self", the target itself. A target cannot be built from its own result; point the context at another target or remove it.`, "xbuild.hcl:15:10-15:23"},
			{"error", "Missing platform in dependency", `Target "app" is built for "linux/s390x", but its context "base" comes from target "base", which is built only for "linux/amd64" and "linux/arm64". A dependency with several platforms must have every platform of its dependent. Add "linux/s390x" to the platforms of "base", or remove it from "app".`, "xbuild.hcl:22:12-22:25"},
		},
	}, {
		name: "a single-platform dependent is a warning here, an error in New",
		targets: []fx{
			{name: "app", platforms: []string{"linux/s390x"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: multi},
		},
		want: []sdiag{
			{"warning", "Missing platform in dependency", `Target "app" is built for "linux/s390x", but its context "base" comes from target "base", which is built only for "linux/amd64" and "linux/arm64". A dependency with several platforms must have every platform of its dependent. Add "linux/s390x" to the platforms of "base", or give "app" platforms that "base" has.`, "xbuild.hcl:4:12-4:25"},
		},
		wantInNew: []sdiag{
			{"error", "Missing platform in dependency", `Target "app" is built for "linux/s390x", but its context "base" comes from target "base", which is built only for "linux/amd64" and "linux/arm64". A dependency with several platforms must have every platform of its dependent. Add "linux/s390x" to the platforms of "base", or give "app" platforms that "base" has.`, "xbuild.hcl:4:12-4:25"},
		},
	}, {
		name: "aliases are the same platform",
		targets: []fx{
			{name: "app", platforms: []string{"linux/aarch64", "linux/amd64"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: []string{"linux/arm64/v8", "linux/amd64"}},
		},
	}, {
		name: "the default platform and local are the builder's: left to New",
		targets: []fx{
			{name: "app", contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: []string{"linux/arm64", "linux/s390x"}},
			{name: "tool", platforms: []string{"local", "linux/arm64"}, contexts: []kv{{"base", "target:base"}}},
		},
		wantInNew: []sdiag{
			{"error", "Missing platform in dependency", `Target "app" is built for "linux/amd64", but its context "base" comes from target "base", which is built only for "linux/arm64" and "linux/s390x". A dependency with several platforms must have every platform of its dependent. Add "linux/amd64" to the platforms of "base", or give "app" platforms that "base" has.`, "xbuild.hcl:3:12-3:25"},
			{"error", "Missing platform in dependency", `Target "tool" is built for "linux/amd64", but its context "base" comes from target "base", which is built only for "linux/arm64" and "linux/s390x". A dependency with several platforms must have every platform of its dependent. Add "linux/amd64" to the platforms of "base", or give "tool" platforms that "base" has.`, "xbuild.hcl:14:12-14:25"},
		},
	}, {
		name: "what containerd parses is New's to reject; what it cannot parse is rejected here too, as buildx's --print does",
		targets: []fx{
			{name: "app", platforms: []string{"linux/amd46", "linux/s390x"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: multi},
			{name: "odd", platforms: []string{"arm64,linux//amd64", "linux/arm/v7/x"}},
		},
		want: []sdiag{
			{"error", "Invalid platform", `"linux//amd64" is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`, "xbuild.hcl:13:23-13:35"},
			{"error", "Invalid platform", `"linux/arm/v7/x" is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`, "xbuild.hcl:13:38-13:54"},
		},
		wantInNew: []sdiag{
			{"error", "Invalid platform", `"linux/amd46" has an unknown architecture "amd46". Did you mean "linux/amd64"?`, "xbuild.hcl:2:16-2:29"},
			{"error", "Incomplete platform", `"arm64" names only an architecture. Write "os/arch", for example "linux/arm64", so the plan does not depend on the machine running xbake.`, "xbuild.hcl:13:17-13:22"},
			{"error", "Invalid platform", `"linux//amd64" is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`, "xbuild.hcl:13:23-13:35"},
			{"error", "Invalid platform", `"linux/arm/v7/x" is not a platform specifier. Write "os/arch[/variant]", for example "linux/amd64" or "linux/arm/v7".`, "xbuild.hcl:13:38-13:54"},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def, src := define(tc.targets...)
			if d := cmp.Diff(tc.want, sdiagsOf(plan.CheckLinks(def))); d != "" {
				t.Errorf("CheckLinks (-want +got):\n%s\nfor:\n%s", d, src)
			}
			wantNew := tc.want
			if tc.wantInNew != nil {
				wantNew = tc.wantInNew
			}
			_, diags := plan.New(def, defaultReq)
			if d := cmp.Diff(wantNew, sdiagsOf(diags)); d != "" {
				t.Errorf("New (-want +got):\n%s\nfor:\n%s", d, src)
			}
		})
	}
}
