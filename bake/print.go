package bake

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
)

// printedTarget is a Target as `--print` shows it: buildx's keys in
// buildx's order, empty values left out.
type printedTarget struct {
	Description      string             `json:"description,omitempty"`
	Annotations      []string           `json:"annotations,omitempty"`
	Attest           []*Attest          `json:"attest,omitempty"`
	Context          *string            `json:"context,omitempty"`
	Contexts         map[string]string  `json:"contexts,omitempty"`
	Dockerfile       *string            `json:"dockerfile,omitempty"`
	DockerfileInline *string            `json:"dockerfile-inline,omitempty"`
	Args             map[string]*string `json:"args,omitempty"`
	Labels           map[string]*string `json:"labels,omitempty"`
	Tags             []string           `json:"tags,omitempty"`
	CacheFrom        []*CacheEntry      `json:"cache-from,omitempty"`
	CacheTo          []*CacheEntry      `json:"cache-to,omitempty"`
	Target           *string            `json:"target,omitempty"`
	Secrets          []*Secret          `json:"secret,omitempty"`
	SSH              []*SSH             `json:"ssh,omitempty"`
	Platforms        []string           `json:"platforms,omitempty"`
	Outputs          []*Export          `json:"output,omitempty"`
	Pull             *bool              `json:"pull,omitempty"`
	NoCache          *bool              `json:"no-cache,omitempty"`
	Network          *string            `json:"network,omitempty"`
	NoCacheFilter    []string           `json:"no-cache-filter,omitempty"`
	ShmSize          *string            `json:"shm-size,omitempty"`
	Ulimits          []string           `json:"ulimits,omitempty"`
	Resources        *printedResources  `json:"resources,omitempty"`
	Call             *string            `json:"call,omitempty"`
	Entitlements     []string           `json:"entitlements,omitempty"`
	ExtraHosts       map[string]*string `json:"extra-hosts,omitempty"`
	Policy           []*Policy          `json:"policy,omitempty"`
}

type printedResources struct {
	Memory     *string `json:"memory,omitempty"`
	MemorySwap *string `json:"memory-swap,omitempty"`
	CPUShares  *int64  `json:"cpu-shares,omitempty"`
	CPUPeriod  *int64  `json:"cpu-period,omitempty"`
	CPUQuota   *int64  `json:"cpu-quota,omitempty"`
	CPUSetCPUs *string `json:"cpuset-cpus,omitempty"`
	CPUSetMems *string `json:"cpuset-mems,omitempty"`
}

// escape keeps printed values valid as bake files: "${" and "%{" would be
// read back as template syntax.
func escape(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "${", "$${"), "%{", "%%{")
}

func escapeMap(m map[string]*string) map[string]*string {
	if m == nil {
		return nil
	}
	out := make(map[string]*string, len(m))
	for k, v := range m {
		if v == nil {
			continue // null means unset
		}
		e := escape(*v)
		out[k] = &e
	}
	return out
}

// MarshalJSON prints the target as `docker buildx bake --print` does.
func (t *Target) MarshalJSON() ([]byte, error) {
	p := printedTarget{
		Description: t.Description, Attest: t.Attest, Context: t.Context, Contexts: t.Contexts,
		Dockerfile: t.Dockerfile, Args: escapeMap(t.Args), Labels: escapeMap(t.Labels), Tags: t.Tags,
		CacheFrom: t.CacheFrom, CacheTo: t.CacheTo, Target: t.Target, Secrets: t.Secrets, SSH: t.SSH,
		Platforms: t.Platforms, Outputs: t.Outputs, Pull: t.Pull, NoCache: t.NoCache, Network: t.Network,
		NoCacheFilter: t.NoCacheFilter, ShmSize: t.ShmSize, Ulimits: t.Ulimits, Call: t.Call,
		Entitlements: t.Entitlements, ExtraHosts: escapeMap(t.ExtraHosts), Policy: t.Policy,
	}
	for _, a := range t.Annotations {
		p.Annotations = append(p.Annotations, escape(a))
	}
	if t.DockerfileInline != nil {
		s := escape(*t.DockerfileInline)
		p.DockerfileInline = &s
	}
	if r := t.Resources; r != nil {
		p.Resources = &printedResources{r.Memory, r.MemorySwap, r.CPUShares, r.CPUPeriod, r.CPUQuota, r.CPUSetCPUs, r.CPUSetMems}
	}
	return json.Marshal(p)
}

// MarshalJSON prints the group as {"description","targets"}.
func (g *Group) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Description string   `json:"description,omitempty"`
		Targets     []string `json:"targets"`
	}{g.Description, g.Targets})
}

// WritePrint writes the definition exactly as `docker buildx bake --print`
// does: {"group":{...},"target":{...}} with sorted keys, two-space indent
// and a final newline.
func (d *Definition) WritePrint(w io.Writer) error {
	out := struct {
		Group  map[string]*Group  `json:"group,omitempty"`
		Target map[string]*Target `json:"target"`
	}{Group: map[string]*Group{}, Target: map[string]*Target{}}
	for _, g := range d.Groups {
		out.Group[g.Name] = g
	}
	for _, t := range d.Targets {
		out.Target[t.Name] = t
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.Write(b)
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}
