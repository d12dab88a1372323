package executor

import (
	"maps"
	"path/filepath"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// cacheEntries converts cache-from/cache-to entries. Per-platform solves
// of a multi-platform target would overwrite one another's registry or
// local cache, so each platform gets its own ref suffix or subfolder, on
// both sides, which keeps cache-from and cache-to matched.
func cacheEntries(entries []*bake.CacheEntry, p ocispec.Platform, multi bool, wd string) []client.CacheOptionsEntry {
	var out []client.CacheOptionsEntry
	for _, c := range entries {
		if c.Type == "" || c.Attrs["disabled"] == "true" {
			continue
		}
		attrs := maps.Clone(c.Attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		plat := strings.ReplaceAll(platforms.Format(p), "/", "-")
		switch c.Type {
		case "registry":
			if multi && attrs["ref"] != "" {
				attrs["ref"] = suffixRef(attrs["ref"], plat)
			}
		case "local":
			for _, k := range []string{"src", "dest"} {
				if attrs[k] != "" {
					attrs[k] = absPath(wd, attrs[k])
					if multi {
						attrs[k] = filepath.Join(attrs[k], plat)
					}
				}
			}
		}
		out = append(out, client.CacheOptionsEntry{Type: c.Type, Attrs: attrs})
	}
	return out
}

func suffixRef(ref, suffix string) string {
	r, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref + "-" + suffix
	}
	tag := "cache"
	if t, ok := r.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return r.Name() + ":" + tag + "-" + suffix
}
