package plan_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/plan"
)

// diag is a diagnostic as asserted: every word and the exact range.
type diag struct {
	Summary, Detail, Range string
}

func diagsOf(ds hcl.Diagnostics) []diag {
	var out []diag
	for _, d := range ds {
		if d.Severity != hcl.DiagError {
			continue
		}
		out = append(out, diag{d.Summary, d.Detail, rangeString(d.Subject)})
	}
	return out
}

var defaultReq = plan.Request{DefaultPlatform: "linux/amd64"}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name    string
		targets []fx
		req     *plan.Request
		want    []diag
	}{{
		name: "incomplete and unknown platforms, one of them inside a comma list",
		targets: []fx{
			{name: "app", platforms: []string{"linux", "linux/amd64,linux/amd46"}},
		},
		want: []diag{
			{"Incomplete platform", `"linux" names only an operating system. Write "os/arch", for example "linux/amd64", so the plan does not depend on the machine running xbake.`, "xbuild.hcl:2:16-2:23"},
			{"Invalid platform", `"linux/amd46" has an unknown architecture "amd46". Did you mean "linux/amd64"?`, "xbuild.hcl:2:38-2:49"},
		},
	}, {
		name: "an empty element and an empty item after a comma",
		targets: []fx{
			{name: "app", platforms: []string{"", "linux/arm64,"}},
		},
		want: []diag{
			{"Invalid platform", `The platform is empty. Write "os/arch[/variant]", for example "linux/amd64".`, "xbuild.hcl:2:16-2:18"},
			{"Invalid platform", `The platform is empty. Write "os/arch[/variant]", for example "linux/amd64".`, "xbuild.hcl:2:33-2:33"},
		},
	}, {
		name: "unknown link target with a suggestion",
		targets: []fx{
			{name: "app", contexts: []kv{{"base", "target:bsae"}}},
			{name: "base"},
		},
		want: []diag{
			{"Unknown target", `Context "base" of target "app" refers to target "bsae", which is not defined. Did you mean "target:base"?`, "xbuild.hcl:3:12-3:25"},
		},
	}, {
		name: "unknown link target without a suggestion, and an empty one",
		targets: []fx{
			{name: "app", contexts: []kv{{"a", "target:"}, {"b", "target:zzz"}}},
		},
		want: []diag{
			{"Invalid context", `Context "a" of target "app" is "target:" without a target name. Write "target:<name>" with the name of the target whose result it should receive.`, "xbuild.hcl:3:9-3:18"},
			{"Unknown target", `Context "b" of target "app" refers to target "zzz", which is not defined. Define it, or correct the name.`, "xbuild.hcl:4:9-4:21"},
		},
	}, {
		name: "self link",
		targets: []fx{
			{name: "app", contexts: []kv{{"self", "target:app"}}},
		},
		want: []diag{
			{"Self-referencing context", `Context "self" of target "app" is "target:app", the target itself. A target cannot be built from its own result; point the context at another target or remove it.`, "xbuild.hcl:3:12-3:24"},
		},
	}, {
		name: "two-target cycle",
		targets: []fx{
			{name: "a", contexts: []kv{{"x", "target:b"}}},
			{name: "b", contexts: []kv{{"y", "target:a"}}},
		},
		want: []diag{
			{"Dependency cycle", `The "target:" contexts of these targets form a cycle: a -> b -> a. Context "y" of target "b" closes it. A target cannot be built from its own result; remove one of these contexts.`, "xbuild.hcl:9:9-9:19"},
		},
	}, {
		name: "three-target cycle with a tail and a shortcut: one diagnostic, shortest path",
		targets: []fx{
			{name: "d", contexts: []kv{{"x", "target:c"}}},
			{name: "c", contexts: []kv{{"x", "target:a"}}},
			{name: "b", contexts: []kv{{"x", "target:c"}, {"y", "target:d"}}},
			{name: "a", contexts: []kv{{"x", "target:b"}}},
			{name: "tail", contexts: []kv{{"x", "target:a"}}},
		},
		want: []diag{
			{"Dependency cycle", `The "target:" contexts of these targets form a cycle: a -> b -> c -> a. Context "x" of target "c" closes it. A target cannot be built from its own result; remove one of these contexts.`, "xbuild.hcl:9:9-9:19"},
		},
	}, {
		name: "two separate cycles",
		targets: []fx{
			{name: "a", contexts: []kv{{"x", "target:b"}}},
			{name: "b", contexts: []kv{{"x", "target:a"}}},
			{name: "c", contexts: []kv{{"x", "target:d"}}},
			{name: "d", contexts: []kv{{"x", "target:c"}}},
		},
		want: []diag{
			{"Dependency cycle", `The "target:" contexts of these targets form a cycle: a -> b -> a. Context "x" of target "b" closes it. A target cannot be built from its own result; remove one of these contexts.`, "xbuild.hcl:9:9-9:19"},
			{"Dependency cycle", `The "target:" contexts of these targets form a cycle: c -> d -> c. Context "x" of target "d" closes it. A target cannot be built from its own result; remove one of these contexts.`, "xbuild.hcl:21:9-21:19"},
		},
	}, {
		name: "dependency lacks a platform of its dependent",
		targets: []fx{
			{name: "app", platforms: []string{"linux/amd64", "linux/arm64", "linux/s390x"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: []string{"linux/amd64", "linux/arm64"}},
		},
		want: []diag{
			{"Missing platform in dependency", `Target "app" is built for "linux/s390x", but its context "base" comes from target "base", which is built only for "linux/amd64" and "linux/arm64". A dependency with several platforms must have every platform of its dependent. Add "linux/s390x" to the platforms of "base", or remove it from "app".`, "xbuild.hcl:4:12-4:25"},
		},
	}, {
		name: "single-platform dependent of a multi-platform dependency without its platform",
		targets: []fx{
			{name: "app", platforms: []string{"linux/ppc64le", "linux/s390x"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: []string{"linux/amd64", "linux/arm64"}},
		},
		want: []diag{
			{"Missing platform in dependency", `Target "app" is built for "linux/ppc64le" and "linux/s390x", but its context "base" comes from target "base", which is built only for "linux/amd64" and "linux/arm64". A dependency with several platforms must have every platform of its dependent. Add "linux/ppc64le" and "linux/s390x" to the platforms of "base", or give "app" platforms that "base" has.`, "xbuild.hcl:4:12-4:25"},
		},
	}, {
		name: "dependency lacks the default platform of its dependent",
		targets: []fx{
			{name: "app", contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: []string{"linux/arm64", "linux/s390x"}},
		},
		want: []diag{
			{"Missing platform in dependency", `Target "app" is built for "linux/amd64", but its context "base" comes from target "base", which is built only for "linux/arm64" and "linux/s390x". A dependency with several platforms must have every platform of its dependent. Add "linux/amd64" to the platforms of "base", or give "app" platforms that "base" has.`, "xbuild.hcl:3:12-3:25"},
		},
	}, {
		name: "an invalid platform of a dependency causes no follow-on error",
		targets: []fx{
			{name: "app", platforms: []string{"linux/amd64", "linux/arm64"}, contexts: []kv{{"base", "target:base"}}},
			{name: "base", platforms: []string{"linux/amd64", "linux/arm46"}},
		},
		want: []diag{
			{"Invalid platform", `"linux/arm46" has an unknown architecture "arm46". Did you mean "linux/arm64"?`, "xbuild.hcl:9:31-9:44"},
		},
	}, {
		name: "every kind at once, sorted by position",
		targets: []fx{
			{name: "z", contexts: []kv{{"x", "target:z"}}},
			{name: "a", platforms: []string{"arm64"}, contexts: []kv{{"x", "target:nope"}}},
		},
		want: []diag{
			{"Self-referencing context", `Context "x" of target "z" is "target:z", the target itself. A target cannot be built from its own result; point the context at another target or remove it.`, "xbuild.hcl:3:9-3:19"},
			{"Incomplete platform", `"arm64" names only an architecture. Write "os/arch", for example "linux/arm64", so the plan does not depend on the machine running xbake.`, "xbuild.hcl:8:16-8:23"},
			{"Unknown target", `Context "x" of target "a" refers to target "nope", which is not defined. Define it, or correct the name.`, "xbuild.hcl:10:9-10:22"},
		},
	}, {
		name: "duplicate target",
		targets: []fx{
			{name: "app"},
			{name: "app"},
		},
		want: []diag{
			{"Duplicate target", `Target "app" is defined more than once in the resolved definition (first at xbuild.hcl:1:8). Give each target a unique name.`, "xbuild.hcl:4:8-4:13"},
		},
	}, {
		name:    "no default platform",
		targets: []fx{{name: "b"}, {name: "a", platforms: []string{"local"}}},
		req:     &plan.Request{},
		want: []diag{
			{"Missing default platform", `Target "a" needs the builder's default platform, but none was given to the planner. Set Request.DefaultPlatform.`, "<nil>"},
		},
	}, {
		name:    "invalid request platforms",
		targets: []fx{{name: "a"}},
		req:     &plan.Request{DefaultPlatform: "linux", BuilderPlatforms: []string{"linux/amd64", "linux/amd46"}},
		want: []diag{
			{"Invalid builder platform", `A builder platform given to the planner is invalid: "linux/amd46" has an unknown architecture "amd46". Did you mean "linux/amd64"?`, "<nil>"},
			{"Invalid default platform", `The default platform given to the planner is invalid: "linux" names only an operating system. Write "os/arch", for example "linux/amd64", so the plan does not depend on the machine running xbake.`, "<nil>"},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			def, src := define(tc.targets...)
			req := defaultReq
			if tc.req != nil {
				req = *tc.req
			}
			p, diags := plan.New(def, req)
			if p != nil {
				t.Errorf("New returned a plan with %d nodes despite errors", len(p.Nodes))
			}
			if d := cmp.Diff(tc.want, diagsOf(diags)); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\nfor:\n%s", d, src)
			}
		})
	}
}
