package executor

import (
	"maps"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/distribution/reference"
	"github.com/moby/buildkit/client"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// Cache entries of per-platform solves.
//
// buildx builds every platform of a target in one solve, which exports
// one cache for all of them. xbake solves each platform apart, and two
// solves exporting to the same place would overwrite each other, so for a
// target of several platforms:
//
//   - each solve exports to its own place: the registry ref with the
//     platform appended to its tag ("app:cache-linux-arm64"), the local
//     folder's subfolder "linux-arm64", the gha scope or s3/azblob name
//     with "-linux-arm64" appended;
//   - each solve imports the place the user named (a cache buildx or a
//     previous xbake merge wrote, holding every platform) and its own
//     per-platform place (written by the last run even when a sibling
//     platform failed and nothing was merged);
//   - the merge node joins the per-platform registry caches into one
//     cache under the ref the user named (see mergeCaches), so buildx and
//     later pipelines read it as their own.
//
// A single-platform target uses the entries as written.

// cacheImports are the cache-from entries of t's solve for platform p;
// perPlatform says that the plan gave the target (or another target of
// the solve) several platforms.
func cacheImports(t *bake.Target, p ocispec.Platform, perPlatform bool, wd string, getenv func(string) string) []client.CacheOptionsEntry {
	var out []client.CacheOptionsEntry
	for _, c := range activeCaches(t.CacheFrom, wd, getenv) {
		out = append(out, c)
		if perPlatform {
			if pc, ok := platformCache(c, p, "src"); ok {
				out = append(out, pc)
			}
		}
	}
	return out
}

// cacheExports are the cache-to entries of t's solve for platform p.
func cacheExports(t *bake.Target, p ocispec.Platform, perPlatform bool, wd string, getenv func(string) string) []client.CacheOptionsEntry {
	caches := activeCaches(t.CacheTo, wd, getenv)
	if !perPlatform {
		return caches
	}
	out := make([]client.CacheOptionsEntry, 0, len(caches))
	for _, c := range caches {
		if pc, ok := platformCache(c, p, "dest"); ok {
			c = pc
		}
		out = append(out, c)
	}
	return out
}

// activeCaches converts entries as buildx's CreateCaches does: disabled
// ones are dropped, local paths made absolute, gha entries completed from
// the ACTIONS_* variables of GitHub Actions and dropped when they still
// lack a token or URL (outside Actions, the same file builds without the
// gha cache instead of failing).
func activeCaches(entries []*bake.CacheEntry, wd string, getenv func(string) string) []client.CacheOptionsEntry {
	var out []client.CacheOptionsEntry
	for _, c := range entries {
		if c.Type == "" || c.Attrs["disabled"] == "true" {
			continue
		}
		attrs := maps.Clone(c.Attrs)
		if attrs == nil {
			attrs = map[string]string{}
		}
		switch c.Type {
		case "local":
			for _, k := range []string{"src", "dest"} {
				if attrs[k] != "" {
					attrs[k] = absPath(wd, attrs[k])
				}
			}
		case "gha":
			addGitHubToken(attrs, getenv)
			if attrs["token"] == "" || (attrs["url"] == "" && attrs["url_v2"] == "") {
				continue
			}
		}
		out = append(out, client.CacheOptionsEntry{Type: c.Type, Attrs: attrs})
	}
	return out
}

// addGitHubToken fills what the Actions runner provides, exactly as
// buildx's addGithubToken: the runtime token, the v2 cache service URL
// when ACTIONS_CACHE_SERVICE_V2 is on (or version=2 was written), and the
// v1 URL. Values written in the entry win.
func addGitHubToken(attrs map[string]string, getenv func(string) string) {
	lookup := func(k string) (string, bool) {
		v := getenv(k)
		return v, v != ""
	}
	version, ok := attrs["version"]
	if !ok {
		if v, ok := lookup("ACTIONS_CACHE_SERVICE_V2"); ok {
			if b, err := strconv.ParseBool(v); err == nil && b {
				version = "2"
			}
		}
	}
	if _, ok := attrs["token"]; !ok {
		if v, ok := lookup("ACTIONS_RUNTIME_TOKEN"); ok {
			attrs["token"] = v
		}
	}
	if _, ok := attrs["url_v2"]; !ok && version == "2" {
		if v, ok := lookup("ACTIONS_RESULTS_URL"); ok {
			attrs["url_v2"] = v
		}
	}
	if _, ok := attrs["url"]; !ok {
		if v, ok := lookup("ACTIONS_CACHE_URL"); ok {
			attrs["url"] = v
		} else if v, ok := lookup("ACTIONS_RESULTS_URL"); ok {
			attrs["url"] = v
		}
	}
}

// platformCache is c moved to platform p's own place; dirKey is the local
// cache's folder attribute on this side ("src" or "dest"). It reports
// false for caches that have no place to move (inline, a ref-less entry).
func platformCache(c client.CacheOptionsEntry, p ocispec.Platform, dirKey string) (client.CacheOptionsEntry, bool) {
	plat := platformSuffix(p)
	attrs := maps.Clone(c.Attrs)
	switch c.Type {
	case "registry":
		if attrs["ref"] == "" {
			return c, false
		}
		attrs["ref"] = suffixRef(attrs["ref"], plat)
	case "local":
		if attrs[dirKey] == "" {
			return c, false
		}
		attrs[dirKey] = filepath.Join(attrs[dirKey], plat)
	case "gha":
		scope := attrs["scope"]
		if scope == "" {
			scope = "buildkit" // BuildKit's default
		}
		attrs["scope"] = scope + "-" + plat
	case "s3", "azblob":
		names := strings.Split(attrs["name"], ";")
		if attrs["name"] == "" {
			names = []string{"buildkit"} // BuildKit's default
		}
		for i := range names {
			names[i] += "-" + plat
		}
		attrs["name"] = strings.Join(names, ";")
	default:
		return c, false
	}
	return client.CacheOptionsEntry{Type: c.Type, Attrs: attrs}, true
}

// platformSuffix is "linux-arm64" for linux/arm64.
func platformSuffix(p ocispec.Platform) string {
	return strings.ReplaceAll(platforms.Format(p), "/", "-")
}

// suffixRef appends suffix to ref's tag ("cache" when it has none).
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
