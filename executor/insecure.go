package executor

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/distribution/reference"

	"github.com/xbake/xbake/plan"
)

// InsecureRegistries are the registries the run's merges may reach over
// plain HTTP or unverified TLS (oci.WithInsecureRegistries): those of
// image outputs and registry caches that say registry.insecure=true, as
// BuildKit pushes the per-platform parts there without TLS checks. xbake
// cannot read a remote daemon's buildkitd.toml, so a registry made
// insecure only there ([registry."host"] http or insecure) needs the
// attribute on the output too (see explainInsecure).
func InsecureRegistries(p *plan.Plan) []string {
	var out []string
	add := func(names ...string) {
		for _, n := range names {
			r, err := reference.ParseNormalizedNamed(strings.TrimSpace(n))
			if err == nil && !slices.Contains(out, reference.Domain(r)) {
				out = append(out, reference.Domain(r))
			}
		}
	}
	for _, n := range p.Nodes {
		if n.Kind != plan.KindMerge {
			continue
		}
		t := n.Merge.Target
		for _, o := range t.Outputs {
			if on, _ := strconv.ParseBool(o.Attrs["registry.insecure"]); !on || !plan.MergedOutput(o) {
				continue
			}
			add(plan.ImageNames(t, o)...)
		}
		for _, c := range t.CacheTo {
			if on, _ := strconv.ParseBool(c.Attrs["registry.insecure"]); on && plan.MergedCache(c) {
				add(c.Attrs["ref"])
			}
		}
	}
	slices.Sort(out)
	return out
}

// explainInsecure adds the remedy to the error of a registry that speaks
// plain HTTP where BuildKit or xbake expected TLS.
func explainInsecure(err error) error {
	if err == nil || !strings.Contains(err.Error(), "server gave HTTP response to HTTPS client") {
		return err
	}
	return fmt.Errorf("%w\nthe registry speaks plain HTTP: add registry.insecure=true to the output (xbake's own registry calls do not read the builder's buildkitd.toml)", err)
}
