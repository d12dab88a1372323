package inputs

import (
	"maps"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// An attestation turned off stays in Attrs (it keeps the default
// provenance off and counts in the input digests) but is not sent: the
// attestations left on are, as the target wrote them.
func TestDropDisabledAttests(t *testing.T) {
	tgt := &bake.Target{Attest: []*bake.Attest{
		{Type: "provenance", Disabled: true},
		{Type: "sbom", Attrs: map[string]string{"generator": "img"}},
	}}
	r, err := Of(tgt, ocispec.Platform{OS: "linux", Architecture: "amd64"}, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Attrs["attest:provenance"]; got != "disabled=true" {
		t.Errorf("Attrs[attest:provenance] = %q, want disabled=true", got)
	}
	if on, err := DefaultProvenance(r, func(string) string { return "" }); err != nil || on {
		t.Errorf("DefaultProvenance = %t, %v; want false: the target turned provenance off", on, err)
	}
	sent := maps.Clone(r.Attrs)
	DropDisabledAttests(sent)
	if v, ok := sent["attest:provenance"]; ok {
		t.Errorf("sent attest:provenance=%q; want it left out", v)
	}
	if got := sent["attest:sbom"]; got != "generator=img" {
		t.Errorf("sent attest:sbom=%q, want generator=img", got)
	}
}
