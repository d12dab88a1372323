package executor

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/containerd/containerd/v2/core/content"
	"github.com/containerd/containerd/v2/core/content/proxy"
	controlapi "github.com/moby/buildkit/api/services/control"
	provenancetypes "github.com/moby/buildkit/solver/llbsolver/provenance/types"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// Provenance in the metadata file, as buildx writes it (its
// build/provenance.go): after a build, the SLSA provenance BuildKit kept
// in the build record is read back, converted to SLSA v0.2 and, in min
// mode, stripped of buildConfig and metadata. It is the key
// "buildx.build.provenance" of the solve's response, base64 JSON like
// BuildKit's own values.

// MetadataProvenance is how much provenance the metadata file holds:
// BUILDX_METADATA_PROVENANCE read as buildx reads it.
type MetadataProvenance string

const (
	MetadataProvenanceMin      MetadataProvenance = "min" // the default
	MetadataProvenanceMax      MetadataProvenance = "max"
	MetadataProvenanceDisabled MetadataProvenance = "disabled"
)

// ParseMetadataProvenance reads BUILDX_METADATA_PROVENANCE: min, max,
// disabled, or a false boolean for disabled; anything else is min.
func ParseMetadataProvenance(v string) MetadataProvenance {
	switch m := MetadataProvenance(v); m {
	case MetadataProvenanceMin, MetadataProvenanceMax, MetadataProvenanceDisabled:
		return m
	}
	if b, err := strconv.ParseBool(v); err == nil && !b {
		return MetadataProvenanceDisabled
	}
	return MetadataProvenanceMin
}

// ProvenanceKey is the metadata key of a build's provenance; a target of
// several platforms has one per platform, ProvenanceKey+"/"+platform.
const ProvenanceKey = "buildx.build.provenance"

// slsaPrefix starts the in-toto predicate type of every SLSA provenance.
const slsaPrefix = "https://slsa.dev/provenance/"

// recordProvenance adds ProvenanceKey to er from the build record ref of
// b. A daemon without the history API (before BuildKit v0.11) has none.
func recordProvenance(ctx context.Context, b *Builder, ref string, mode MetadataProvenance, er map[string]string) error {
	if mode == "" || mode == MetadataProvenanceDisabled {
		return nil
	}
	cl, err := b.Client.ControlClient().ListenBuildHistory(ctx, &controlapi.BuildHistoryRequest{Ref: ref, EarlyExit: true})
	if err != nil {
		return err
	}
	var desc *ocispec.Descriptor
	for {
		ev, err := cl.Recv()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return err
		}
		if ev.Record != nil && ev.Record.Result != nil {
			desc = provenanceOf(ev.Record.Result)
		}
	}
	if desc == nil {
		return nil
	}
	dt, err := content.ReadBlob(ctx, proxy.NewContentStore(b.Client.ContentClient()), *desc)
	if err != nil {
		return fmt.Errorf("reading the provenance of build %s: %w", ref, err)
	}
	v, err := encodeProvenance(dt, desc.Annotations["in-toto.io/predicate-type"], mode)
	if err != nil {
		return err
	}
	er[ProvenanceKey] = v
	return nil
}

// provenanceOf finds the SLSA provenance among a result's attestations.
func provenanceOf(res *controlapi.BuildResultInfo) *ocispec.Descriptor {
	for _, a := range res.Attestations {
		if a.MediaType == "application/vnd.in-toto+json" && strings.HasPrefix(a.Annotations["in-toto.io/predicate-type"], slsaPrefix) {
			return &ocispec.Descriptor{MediaType: a.MediaType, Digest: digest.Digest(a.Digest), Size: a.Size, Annotations: a.Annotations}
		}
	}
	return nil
}

// encodeProvenance is buildx's encodeProvenance: SLSA v1 predicates are
// converted to v0.2, min drops buildConfig and metadata.
func encodeProvenance(dt []byte, predicateType string, mode MetadataProvenance) (string, error) {
	var pred *provenancetypes.ProvenancePredicateSLSA02
	if predicateType == slsaPrefix+"v1" {
		var p1 *provenancetypes.ProvenancePredicateSLSA1
		if err := json.Unmarshal(dt, &p1); err != nil {
			return "", fmt.Errorf("decoding provenance: %w", err)
		}
		pred = p1.ConvertToSLSA02()
	} else if err := json.Unmarshal(dt, &pred); err != nil {
		return "", fmt.Errorf("decoding provenance: %w", err)
	}
	if mode == MetadataProvenanceMin {
		pred.BuildConfig = nil
		pred.Metadata = nil
	}
	out, err := json.Marshal(pred)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(out), nil
}
