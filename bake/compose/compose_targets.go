package compose

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/docker/go-units"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// composeTargets maps the services of a loaded project to targets, in
// service name order (compose-go keeps services in a map: buildx's order is
// random, ours is sorted).
func composeTargets(p *types.Project, loc *composeLocator) (*bake.ComposeConfig, hcl.Diagnostics) {
	cfg := &bake.ComposeConfig{}
	if len(p.Services) == 0 {
		return cfg, nil
	}
	// Targets stays nil without a service to build: buildx prints null.
	g := &bake.Group{Name: "default", DeclRange: loc.find("services")}
	var diags hcl.Diagnostics
	byName := map[string]*bake.Target{}
	for _, name := range slices.Sorted(maps.Keys(p.Services)) {
		s := p.Services[name]
		if s.Build == nil {
			continue
		}
		m := &composeMapper{p: p, s: s, name: name, loc: loc}
		t := m.target()
		diags = append(diags, m.diags...)
		if prev, ok := byName[t.Name]; ok {
			// "a.b" and "a_b" are both target a_b: buildx merges
			// same-named targets, the later on top.
			prev.Merge(t)
			continue
		}
		byName[t.Name] = t
		g.AddTarget(t.Name, t.Source.DeclRange)
		cfg.Targets = append(cfg.Targets, t)
	}
	cfg.Groups = []*bake.Group{g}
	return cfg, diags
}

// composeMapper maps one service with a build section to a target.
type composeMapper struct {
	p     *types.Project
	s     types.ServiceConfig
	name  string // the service name, as written
	loc   *composeLocator
	src   *bake.Source
	diags hcl.Diagnostics
}

// at returns the range of a key under the service's build section, and
// records it as the range of bake attribute attr when attr is not empty.
func (m *composeMapper) at(attr string, path ...string) hcl.Range {
	rng := m.loc.find(append([]string{"services", m.name}, path...)...)
	if attr != "" {
		m.src.Attrs[attr] = rng
	}
	return rng
}

func (m *composeMapper) errorf(rng hcl.Range, summary, format string, args ...any) {
	m.diags = append(m.diags, xhcl.Errorf(&rng, summary, format, args...))
}

func (m *composeMapper) target() *bake.Target {
	b := m.s.Build
	m.src = &bake.Source{DeclRange: m.loc.find("services", m.name), Attrs: map[string]hcl.Range{}, Elems: map[string]hcl.Range{}}
	t := &bake.Target{Name: bake.ComposeTargetName(m.name), Source: m.src}

	setString := func(dst **string, v, attr, key string) {
		if v != "" {
			*dst = &v
			m.at(attr, "build", key)
		}
	}
	setString(&t.Context, b.Context, "context", "context")
	setString(&t.Dockerfile, b.Dockerfile, "dockerfile", "dockerfile")
	setString(&t.DockerfileInline, b.DockerfileInline, "dockerfile-inline", "dockerfile_inline")
	setString(&t.Network, b.Network, "network", "network")

	if b.AdditionalContexts != nil {
		t.Contexts = bake.ComposeNamedContexts(b.AdditionalContexts)
		m.at("contexts", "build", "additional_contexts")
	}
	if b.ShmSize > 0 {
		s := units.BytesSize(float64(b.ShmSize))
		t.ShmSize = &s
		m.at("shm-size", "build", "shm_size")
	}
	t.Ulimits = m.ulimits(b.Ulimits)
	if len(b.ExtraHosts) > 0 {
		t.ExtraHosts = map[string]*string{}
		for host, ips := range b.ExtraHosts {
			v := strings.Join(ips, ",")
			t.ExtraHosts[host] = &v
		}
		m.at("extra-hosts", "build", "extra_hosts")
	}
	for _, k := range b.SSH {
		e := &bake.SSH{ID: k.ID}
		if k.Path != "" {
			e.Paths = []string{k.Path}
		}
		t.SSH = append(t.SSH, e)
	}
	if t.SSH != nil {
		bake.SortSSH(t.SSH)
		m.at("ssh", "build", "ssh")
	}
	t.Secrets = m.secrets(b.Secrets)
	if len(b.Labels) > 0 {
		t.Labels = map[string]*string{}
		for k, v := range b.Labels {
			t.Labels[k] = &v
		}
		m.at("labels", "build", "labels")
	}
	t.CacheFrom = m.cacheEntries(b.CacheFrom, "cache-from", "build", "cache_from")
	t.CacheTo = m.cacheEntries(b.CacheTo, "cache-to", "build", "cache_to")
	t.Attest = m.attests(b.SBOM, b.Provenance)
	if b.NoCache {
		t.NoCache = ptrTo(true)
		m.at("no-cache", "build", "no_cache")
	}
	if b.Pull {
		t.Pull = ptrTo(true)
		m.at("pull", "build", "pull")
	}
	if len(b.Tags) > 0 {
		t.Tags = slices.Clone([]string(b.Tags))
		m.at("tags", "build", "tags")
	}
	if len(b.Platforms) > 0 {
		t.Platforms = slices.Clone([]string(b.Platforms))
		m.at("platforms", "build", "platforms")
	}
	t.Args = m.args(b.Args)

	m.applyXBake(t, b.Extensions["x-bake"])

	setString(&t.Target, b.Target, "target", "target")
	if len(t.Tags) == 0 && m.s.Image != "" {
		t.Tags = []string{m.s.Image}
		m.src.Attrs["tags"] = m.loc.find("services", m.name, "image")
	}
	return t
}

// args resolves build args written without a value from the service's
// environment, then from the project's (interpolation) environment; the
// ones still without a value are dropped.
func (m *composeMapper) args(args types.MappingWithEquals) map[string]*string {
	if len(args) == 0 {
		return nil
	}
	out := map[string]*string{}
	for k, v := range args {
		if v == nil {
			if ev, ok := m.s.Environment[k]; ok && ev != nil {
				v = ev
			} else if pv, ok := m.p.Environment[k]; ok {
				v = &pv
			}
		}
		if v != nil {
			s := *v
			out[k] = &s
		}
	}
	m.at("args", "build", "args")
	if len(out) == 0 {
		return nil
	}
	return out
}

// ulimits formats ulimits as "name=soft:hard", in name order; the short
// form (nproc: 65535) sets both limits.
func (m *composeMapper) ulimits(in map[string]*types.UlimitsConfig) []string {
	if len(in) == 0 {
		return nil
	}
	var out []string
	for _, name := range slices.Sorted(maps.Keys(in)) {
		u := in[name]
		if u == nil {
			continue
		}
		soft, hard := u.Soft, u.Hard
		if u.Single != 0 {
			soft, hard = u.Single, u.Single
		}
		s := fmt.Sprintf("%s=%d:%d", name, soft, hard)
		if err := bake.CheckUlimit(s); err != nil {
			m.errorf(m.at("", "build", "ulimits", name), "Invalid ulimit",
				"Service %q: %s. Use a known ulimit name and a soft limit no higher than the hard one, such as nofile: {soft: 1024, hard: 2048}.", m.name, err)
			continue
		}
		out = append(out, s)
	}
	m.at("ulimits", "build", "ulimits")
	return out
}

// secrets maps build secrets to their top-level definitions: a file or an
// environment variable. External secrets live in a swarm and cannot be
// read by a build.
func (m *composeMapper) secrets(in []types.ServiceSecretConfig) []*bake.Secret {
	var out []*bake.Secret
	for _, ref := range in {
		def := m.p.Secrets[ref.Source]
		if def.External {
			rng := m.loc.find("secrets", ref.Source, "external")
			m.errorf(rng, "Unsupported external secret",
				"Service %q uses secret %q, which is external: a build can only read a secret from a file or an environment variable. Define it with file: or environment: instead of external: true.",
				m.name, ref.Source)
			continue
		}
		out = append(out, &bake.Secret{ID: ref.Source, FilePath: def.File, Env: def.Environment})
	}
	if len(in) > 0 {
		m.at("secret", "build", "secrets")
	}
	return out
}

// cacheEntries parses cache_from/cache_to (or the x-bake equivalents);
// empty strings are skipped, as buildx does.
func (m *composeMapper) cacheEntries(in []string, attr string, path ...string) []*bake.CacheEntry {
	var out []*bake.CacheEntry
	for i, s := range in {
		if s == "" {
			continue
		}
		es, err := bake.ParseCacheEntries(s)
		if err != nil {
			m.errorf(m.at("", append(path, fmt.Sprint(i))...), "Invalid "+attr,
				"Service %q: %q is not a cache entry: %s. Write a registry reference (user/app:cache) or type=...,key=value.", m.name, s, err)
			continue
		}
		out = append(out, es...)
	}
	if len(in) > 0 {
		m.at(attr, path...)
	}
	return out
}

// attests maps sbom and provenance: a boolean enables or disables the
// attestation, any other value is its options ("mode=max").
func (m *composeMapper) attests(sbom, provenance string) []*bake.Attest {
	var out []*bake.Attest
	for _, a := range []struct{ typ, value string }{{"sbom", sbom}, {"provenance", provenance}} {
		if a.value == "" {
			continue
		}
		at, err := bake.ParseAttest(canonicalAttest(a.typ, a.value))
		if err != nil {
			m.errorf(m.at("", "build", a.typ), "Invalid "+a.typ,
				"Service %q: %s: %s. Use true, false or options such as mode=max.", m.name, a.value, err)
			continue
		}
		m.at("attest", "build", a.typ)
		out = append(out, at)
	}
	return out
}

func canonicalAttest(typ, value string) string {
	if b, err := strconv.ParseBool(value); err == nil {
		return fmt.Sprintf("type=%s,disabled=%t", typ, !b)
	}
	return fmt.Sprintf("type=%s,%s", typ, value)
}

func ptrTo[T any](v T) *T { return &v }
