package bake

import (
	"slices"
	"testing"

	"github.com/xbake/xbake/schema"
)

// TestSchemaCoversTargetAttributes keeps the decoder and the schema (and
// so `xbake schema` and the docs) from drifting apart.
func TestSchemaCoversTargetAttributes(t *testing.T) {
	got := schema.Target.AttrNames()
	if !slices.Equal(got, TargetAttributes) {
		t.Errorf("schema.Target attributes differ from the decoder's:\nschema:  %v\ndecoder: %v", got, TargetAttributes)
	}
}
