package oci

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"
	cachetypes "github.com/moby/buildkit/cache/remotecache/v1/types"
	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

// maxCacheConfig is the largest cache config BuildKit imports (its
// remotecache readBlob refuses bigger ones).
const maxCacheConfig = 1 << 20

// MergeCache joins registry caches that per-platform solves exported
// (parts, tags in ref's repository) into one cache pushed to ref, in the
// format BuildKit's registry cache exporter writes: an image index (or,
// when every part is one, an OCI image manifest: image-manifest=true)
// listing the layers and the merged cache config. Parts that do not exist
// are skipped (a solve whose cache had no layers exports nothing); with
// none left, ref is not written and the descriptor is empty.
func (c *Client) MergeCache(ctx context.Context, ref string, parts []string) (ocispec.Descriptor, error) {
	dst, err := c.insecure.parseTag(ref)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	s, err := c.newSession(ctx)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	var cfgs []cachetypes.CacheConfig
	layers := map[digest.Digest]ocispec.Descriptor{}
	mediaType := ""
	for _, p := range parts {
		pr, err := c.insecure.parseTag(p)
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		if pr.Context().String() != dst.Context().String() {
			return ocispec.Descriptor{}, fmt.Errorf("cache %s is not in the repository of %s", p, ref)
		}
		cm, err := s.cacheManifest(ctx, pr)
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return ocispec.Descriptor{}, err
		}
		for _, l := range cm.layers {
			if _, ok := layers[l.Digest]; !ok {
				layers[l.Digest] = l
			}
		}
		cfgs = append(cfgs, cm.config)
		switch {
		case mediaType == "":
			mediaType = cm.mediaType
		case mediaType != cm.mediaType:
			mediaType = ocispec.MediaTypeImageIndex // mixed formats: the general one
		}
	}
	if len(cfgs) == 0 {
		return ocispec.Descriptor{}, nil
	}
	merged, err := mergeCacheConfigs(cfgs)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	cfgRaw, err := json.Marshal(merged)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	if len(cfgRaw) > maxCacheConfig {
		return ocispec.Descriptor{}, fmt.Errorf("the merged cache config is %d bytes, more than BuildKit imports (%d); use mode=min or fewer platforms per target", len(cfgRaw), maxCacheConfig)
	}
	cfgDesc := ocispec.Descriptor{MediaType: cachetypes.CacheConfigMediaTypeV0, Digest: digest.FromBytes(cfgRaw), Size: int64(len(cfgRaw))}
	blobs := make([]ocispec.Descriptor, 0, len(merged.Layers))
	seen := map[digest.Digest]bool{}
	for _, l := range merged.Layers {
		d, ok := layers[l.Blob]
		if !ok {
			return ocispec.Descriptor{}, fmt.Errorf("cache layer %s is in a config but in no manifest", l.Blob)
		}
		if !seen[l.Blob] {
			seen[l.Blob] = true
			blobs = append(blobs, d)
		}
	}
	raw, err := cacheManifestBytes(mediaType, cfgDesc, blobs)
	if err != nil {
		return ocispec.Descriptor{}, err
	}
	err = c.retry(ctx, func(ctx context.Context) error {
		return s.pusher.Upload(ctx, dst.Context(), static.NewLayer(cfgRaw, types.MediaType(cfgDesc.MediaType)))
	})
	if err := c.wrapErr(ctx, "pushing the cache config to", dst, err); err != nil {
		return ocispec.Descriptor{}, err
	}
	if err := s.put(ctx, dst, raw, mediaType); err != nil {
		return ocispec.Descriptor{}, err
	}
	return ocispec.Descriptor{MediaType: mediaType, Digest: digest.FromBytes(raw), Size: int64(len(raw))}, nil
}

// cacheManifest is one registry cache: its layers and decoded config.
type cacheManifest struct {
	mediaType string
	layers    []ocispec.Descriptor
	config    cachetypes.CacheConfig
}

func (s *session) cacheManifest(ctx context.Context, ref name.Tag) (*cacheManifest, error) {
	d, err := s.get(ctx, ref)
	if err != nil {
		return nil, err
	}
	cm := &cacheManifest{mediaType: string(d.MediaType)}
	var cfg ocispec.Descriptor
	switch {
	case d.MediaType.IsIndex():
		var idx ocispec.Index
		if err := json.Unmarshal(d.Manifest, &idx); err != nil {
			return nil, fmt.Errorf("decoding cache %s: %w", ref, err)
		}
		for _, m := range idx.Manifests {
			if m.MediaType == cachetypes.CacheConfigMediaTypeV0 {
				cfg = m
				continue
			}
			cm.layers = append(cm.layers, m)
		}
	case d.MediaType.IsImage():
		var m ocispec.Manifest
		if err := json.Unmarshal(d.Manifest, &m); err != nil {
			return nil, fmt.Errorf("decoding cache %s: %w", ref, err)
		}
		if m.Config.MediaType == cachetypes.CacheConfigMediaTypeV0 {
			cfg = m.Config
		}
		cm.layers = m.Layers
	}
	if cfg.Digest == "" {
		return nil, fmt.Errorf("%s is not a BuildKit registry cache (no %s config)", ref, cachetypes.CacheConfigMediaTypeV0)
	}
	if cfg.Size > maxCacheConfig {
		return nil, fmt.Errorf("cache %s: config of %d bytes is larger than BuildKit imports", ref, cfg.Size)
	}
	dt, err := s.blob(ctx, ref.Context().Digest(cfg.Digest.String()), maxCacheConfig)
	if err != nil {
		return nil, err
	}
	if cm.config, err = parseCacheConfig(dt); err != nil {
		return nil, fmt.Errorf("cache %s: %w", ref, err)
	}
	return cm, nil
}

// cacheManifestBytes is the manifest BuildKit's exporter would write:
// layers then the config in an index, or an image manifest whose config
// is the cache config.
func cacheManifestBytes(mediaType string, cfg ocispec.Descriptor, layers []ocispec.Descriptor) ([]byte, error) {
	if mediaType == ocispec.MediaTypeImageManifest {
		return json.Marshal(ocispec.Manifest{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediaType, Config: cfg, Layers: layers})
	}
	return json.Marshal(ocispec.Index{Versioned: specs.Versioned{SchemaVersion: 2}, MediaType: mediaType, Manifests: append(layers, cfg)})
}
