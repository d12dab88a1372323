package bake

import (
	"github.com/hashicorp/hcl/v2"
)

// Target is one resolved build: a bake `target` block after matrix
// expansion, inherits, --set overrides and normalisation.
//
// Pointer fields tell "unset" from "empty", which the merge rules need.
// Field order is the key order of `--print`, as in buildx.
type Target struct {
	Name        string
	Description string

	Annotations      []string
	Attest           []*Attest
	Context          *string
	Contexts         map[string]string
	Dockerfile       *string
	DockerfileInline *string
	Args             map[string]*string
	Labels           map[string]*string
	Tags             []string
	CacheFrom        []*CacheEntry
	CacheTo          []*CacheEntry
	Target           *string
	Secrets          []*Secret
	SSH              []*SSH
	Platforms        []string
	Outputs          []*Export
	Pull             *bool
	NoCache          *bool
	Network          *string
	NoCacheFilter    []string
	ShmSize          *string
	Ulimits          []string
	Resources        *Resources
	Call             *string
	Entitlements     []string
	ExtraHosts       map[string]*string
	Policy           []*Policy

	// inherits are the parents named by `inherits`, merged across blocks;
	// they are consumed by resolution and never printed.
	inherits []ref

	// Linked marks a target that was not requested but is needed by a
	// requested one through a `target:` context: it is built, not exported.
	Linked bool

	// Source says where the target and its attributes were declared, for
	// diagnostics in later phases.
	Source *Source
}

// ref is a name written in the file, with where it was written.
type ref struct {
	name string
	rng  hcl.Range
}

// Group is a named list of targets and groups.
type Group struct {
	Name        string
	Description string
	Targets     []string
	DeclRange   hcl.Range

	// targetRanges are where each member was written, for errors.
	targetRanges map[string]hcl.Range
	// generated marks the group a matrix label makes of its targets.
	generated bool
}

// Export is one `output` entry: an exporter type and its attributes.
// Dest is kept apart because every exporter that writes files uses it.
type Export struct {
	Type  string
	Dest  string
	Attrs map[string]string
}

// CacheEntry is one `cache-from` or `cache-to` entry.
type CacheEntry struct {
	Type  string
	Attrs map[string]string
}

// Attest is one `attest` entry (sbom, provenance, ...).
type Attest struct {
	Type     string
	Disabled bool
	Attrs    map[string]string
}

// Secret is one `secret` entry: an id and where its value comes from.
type Secret struct {
	ID       string
	FilePath string
	Env      string
}

// SSH is one `ssh` entry: an agent id and optional key or socket paths.
type SSH struct {
	ID    string
	Paths []string
}

// Policy is one `policy` entry (Rego policy options).
type Policy struct {
	Filename string
	Reset    *bool
	Disabled *bool
	Strict   *bool
	LogLevel string
}

// Resources are per-step cgroup limits.
type Resources struct {
	Memory     *string
	MemorySwap *string
	CPUShares  *int64
	CPUPeriod  *int64
	CPUQuota   *int64
	CPUSetCPUs *string
	CPUSetMems *string
}

// AttrRange returns the range of attribute name, falling back to the
// declaration.
func (t *Target) AttrRange(name string) hcl.Range {
	if t.Source == nil {
		return hcl.Range{}
	}
	if r, ok := t.Source.lookup(name, ""); ok {
		return r
	}
	return t.Source.DeclRange
}

// ElemRange returns the range of one element of a list or map attribute
// ("platforms", "1" or "contexts", "base"), falling back to the attribute.
func (t *Target) ElemRange(name, key string) hcl.Range {
	if r, ok := t.Source.lookup(name, key); ok {
		return r
	}
	return t.AttrRange(name)
}

// Definition is a resolved request: the targets to build, the targets they
// depend on (Linked), and the groups that were traversed. It is what
// `--print` prints and what package plan takes.
type Definition struct {
	// Groups are sorted by name; "default" lists the requested names.
	Groups []*Group
	// Targets are sorted by name.
	Targets []*Target
	// Granted are the privileges the command line implies: entitlements
	// set with --set, and "fs.read=PATH" / "fs.write=PATH" for paths typed
	// in --set values.
	Granted []string
	// Tests are the smoke tests of the targets built (Config.Tests),
	// which the CLI adds for builds and --plan; --print never has them.
	Tests []*Test
}
