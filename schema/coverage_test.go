package schema_test

import (
	"slices"
	"testing"

	"github.com/xbake/xbake/schema"
)

// buildxTargetAttrs are the attributes of buildx's bake.Target, in its
// field order (Target in buildx's bake/bake.go). Change this list
// only together with the definitions, after checking buildx.
var buildxTargetAttrs = []string{
	"name", "matrix", "description", "inherits", "annotations", "attest",
	"context", "contexts", "dockerfile", "dockerfile-inline", "args",
	"labels", "tags", "cache-from", "cache-to", "target", "secret", "ssh",
	"platforms", "output", "pull", "no-cache", "network", "no-cache-filter",
	"shm-size", "ulimits", "resources", "call", "entitlements",
	"extra-hosts", "policy",
}

// buildxPrintKeys is the key order of a target in --print output (buildx
// marshals its Target).
var buildxPrintKeys = []string{
	"description", "annotations", "attest", "context", "contexts",
	"dockerfile", "dockerfile-inline", "args", "labels", "tags",
	"cache-from", "cache-to", "target", "secret", "ssh", "platforms",
	"output", "pull", "no-cache", "network", "no-cache-filter", "shm-size",
	"ulimits", "resources", "call", "entitlements", "extra-hosts", "policy",
}

// buildxSetKeys are the keys --set accepts (buildx's
// Target.AddOverrides): platform and secrets are spelled differently from
// the attributes.
var buildxSetKeys = []string{
	"annotations", "attest", "context", "contexts", "dockerfile", "args",
	"labels", "tags", "cache-from", "cache-to", "target", "secrets", "ssh",
	"platform", "output", "pull", "no-cache", "network", "no-cache-filter",
	"shm-size", "ulimits", "resources", "call", "entitlements",
	"extra-hosts", "policy", "secret", "push", "load",
}

func TestTargetAttributesMatchBuildx(t *testing.T) {
	if got := schema.Target.AttrNames(); !slices.Equal(got, buildxTargetAttrs) {
		t.Errorf("schema.Target attributes drifted from buildx's bake.Target:\ngot  %q\nwant %q", got, buildxTargetAttrs)
	}
	var printed []string
	for _, a := range schema.Target.Attrs {
		if !a.NoPrint {
			printed = append(printed, a.Name)
		}
	}
	if !slices.Equal(printed, buildxPrintKeys) {
		t.Errorf("printed target attributes:\ngot  %q\nwant %q", printed, buildxPrintKeys)
	}
	if got := schema.SetKeys(); !slices.Equal(got, buildxSetKeys) {
		t.Errorf("--set keys:\ngot  %q\nwant %q", got, buildxSetKeys)
	}
}

func TestOtherBlocksMatchBuildx(t *testing.T) {
	for _, tc := range []struct {
		block *schema.Block
		attrs []string
	}{
		{schema.Group, []string{"description", "targets", "name", "matrix"}},
		{schema.Variable, []string{"default", "type", "description"}},
		{schema.Validation, []string{"condition", "error_message"}},
		{schema.Function, []string{"params", "variadic_params", "result"}},
	} {
		if got := tc.block.AttrNames(); !slices.Equal(got, tc.attrs) {
			t.Errorf("%s attributes: got %q, want %q", tc.block.Type, got, tc.attrs)
		}
	}
	var blocks []string
	for _, b := range schema.File.Blocks {
		blocks = append(blocks, b.Type)
	}
	// buildx's four, and xbake's test blocks, which buildx skips (its
	// parser drops the "Blocks are not allowed here." of unknown blocks).
	if want := []string{"target", "group", "variable", "function", "test"}; !slices.Equal(blocks, want) {
		t.Errorf("top-level blocks: got %q, want %q", blocks, want)
	}
}

// TestDefinitionsAreComplete catches a half-written attribute.
func TestDefinitionsAreComplete(t *testing.T) {
	var check func(where string, attrs []*schema.Attr)
	check = func(where string, attrs []*schema.Attr) {
		seen := map[string]bool{}
		for _, a := range attrs {
			if a.Name == "" || a.Description == "" {
				t.Errorf("%s: attribute %q has no name or description", where, a.Name)
			}
			if seen[a.Name] {
				t.Errorf("%s: attribute %q defined twice", where, a.Name)
			}
			seen[a.Name] = true
			if a.Type.Kind == schema.KindEntry || a.Type.Kind == schema.KindObject {
				check(where+"."+a.Name, a.Type.Fields)
			}
			if a.Type.Kind == schema.KindList && a.Type.Elem.Kind == schema.KindEntry {
				if a.Type.Elem.Name == "" || a.Type.Elem.Description == "" {
					t.Errorf("%s.%s: entry type has no name or description", where, a.Name)
				}
				check(where+"."+a.Name, a.Type.Elem.Fields)
			}
		}
	}
	for _, b := range []*schema.Block{schema.File, schema.Target, schema.Group, schema.Variable, schema.Validation, schema.Function} {
		if b.Description == "" {
			t.Errorf("block %q has no description", b.Type)
		}
		check(b.Type, b.Attrs)
	}
}
