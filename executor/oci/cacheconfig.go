package oci

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	cachetypes "github.com/moby/buildkit/cache/remotecache/v1/types"
	"github.com/opencontainers/go-digest"
)

// mergeCacheConfigs joins BuildKit cache configs (the
// application/vnd.buildkit.cacheconfig.v0 blob of a registry cache) into
// one, as BuildKit's own CacheChains would have written it had one solve
// built every platform: layers with the same blob and parent are one
// layer, records with the same digest and the same inputs are one record
// (their results joined). Steps the platforms share (a cross-compiled
// stage, a context copy) appear once. The order is that of first
// appearance, configs in the given order.
func mergeCacheConfigs(cfgs []cachetypes.CacheConfig) (cachetypes.CacheConfig, error) {
	m := &configMerger{layerAt: map[digest.Digest]int{}, recordAt: map[digest.Digest]int{}}
	for i := range cfgs {
		if err := m.add(&cfgs[i]); err != nil {
			return cachetypes.CacheConfig{}, fmt.Errorf("cache config %d: %w", i+1, err)
		}
	}
	return m.out, nil
}

type configMerger struct {
	out      cachetypes.CacheConfig
	layerAt  map[digest.Digest]int // layer identity -> index in out.Layers
	recordAt map[digest.Digest]int // record identity -> index in out.Records
}

// source is one input config while it is merged: where each of its
// layers and records went, and their identities.
type source struct {
	cfg     *cachetypes.CacheConfig
	layers  []int // -1: not yet placed
	records []int
	lkeys   []digest.Digest
	rkeys   []digest.Digest
	// lvisit and rvisit mark layers and records being placed, to refuse
	// a cycle instead of recursing forever.
	lvisit, rvisit []bool
}

func (m *configMerger) add(cfg *cachetypes.CacheConfig) error {
	s := &source{cfg: cfg, layers: fill(len(cfg.Layers)), records: fill(len(cfg.Records)),
		lkeys: make([]digest.Digest, len(cfg.Layers)), rkeys: make([]digest.Digest, len(cfg.Records)),
		lvisit: make([]bool, len(cfg.Layers)), rvisit: make([]bool, len(cfg.Records))}
	for i := range cfg.Records {
		if _, err := m.record(s, i); err != nil {
			return err
		}
	}
	return nil
}

func fill(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = -1
	}
	return out
}

// layer places layer i of s (and its parents) and returns its index in
// the output. A layer is its blob on top of its parent chain.
func (m *configMerger) layer(s *source, i int) (int, error) {
	if i < 0 || i >= len(s.cfg.Layers) {
		return 0, fmt.Errorf("layer index %d out of range", i)
	}
	if s.layers[i] >= 0 {
		return s.layers[i], nil
	}
	if s.lvisit[i] {
		return 0, fmt.Errorf("layer %d is its own parent", i)
	}
	s.lvisit[i] = true
	l := s.cfg.Layers[i]
	parent, pkey := -1, digest.Digest("")
	if l.ParentIndex >= 0 {
		// BuildKit sorts layers by blob, so a parent may come later.
		var err error
		if parent, err = m.layer(s, l.ParentIndex); err != nil {
			return 0, err
		}
		pkey = s.lkeys[l.ParentIndex]
	}
	key := digest.FromString(l.Blob.String() + "\n" + pkey.String())
	s.lkeys[i] = key
	if at, ok := m.layerAt[key]; ok {
		s.layers[i] = at
		return at, nil
	}
	l.ParentIndex = parent
	m.out.Layers = append(m.out.Layers, l)
	at := len(m.out.Layers) - 1
	m.layerAt[key], s.layers[i] = at, at
	return at, nil
}

// record places record i of s (and the records it links to) and returns
// its index in the output. A record is its digest with, per input, the
// set of (selector, linked record) pairs.
func (m *configMerger) record(s *source, i int) (int, error) {
	if i < 0 || i >= len(s.cfg.Records) {
		return 0, fmt.Errorf("record index %d out of range", i)
	}
	if s.records[i] >= 0 {
		return s.records[i], nil
	}
	if s.rvisit[i] {
		return 0, fmt.Errorf("record %d links to itself", i)
	}
	s.rvisit[i] = true
	r := s.cfg.Records[i]
	var inputs [][]cachetypes.CacheInput
	if len(r.Inputs) > 0 {
		inputs = make([][]cachetypes.CacheInput, len(r.Inputs))
	}
	var id strings.Builder
	id.WriteString(r.Digest.String())
	for j, in := range r.Inputs {
		type link struct {
			sel string
			key digest.Digest
			at  int
		}
		links := make([]link, 0, len(in))
		for _, ci := range in {
			at, err := m.record(s, ci.LinkIndex)
			if err != nil {
				return 0, err
			}
			links = append(links, link{ci.Selector, s.rkeys[ci.LinkIndex], at})
		}
		slices.SortFunc(links, func(a, b link) int {
			return strings.Compare(a.sel+"\x00"+a.key.String(), b.sel+"\x00"+b.key.String())
		})
		links = slices.CompactFunc(links, func(a, b link) bool { return a.sel == b.sel && a.key == b.key })
		id.WriteString("\n" + strconv.Itoa(j))
		for _, l := range links {
			id.WriteString(" " + strconv.Quote(l.sel) + "=" + l.key.String())
			inputs[j] = append(inputs[j], cachetypes.CacheInput{Selector: l.sel, LinkIndex: l.at})
		}
	}
	key := digest.FromString(id.String())
	s.rkeys[i] = key

	at, seen := m.recordAt[key]
	if !seen {
		m.out.Records = append(m.out.Records, cachetypes.CacheRecord{Digest: r.Digest, Inputs: inputs})
		at = len(m.out.Records) - 1
		m.recordAt[key] = at
	}
	s.records[i] = at
	out := &m.out.Records[at]
	for _, res := range r.Results {
		li, err := m.layer(s, res.LayerIndex)
		if err != nil {
			return 0, err
		}
		if !slices.ContainsFunc(out.Results, func(x cachetypes.CacheResult) bool { return x.LayerIndex == li }) {
			out.Results = append(out.Results, cachetypes.CacheResult{LayerIndex: li, CreatedAt: res.CreatedAt})
		}
	}
	for _, ch := range r.ChainedResults {
		idx := make([]int, len(ch.LayerIndexes))
		for k, l := range ch.LayerIndexes {
			li, err := m.layer(s, l)
			if err != nil {
				return 0, err
			}
			idx[k] = li
		}
		if !slices.ContainsFunc(out.ChainedResults, func(x cachetypes.ChainedResult) bool { return slices.Equal(x.LayerIndexes, idx) }) {
			out.ChainedResults = append(out.ChainedResults, cachetypes.ChainedResult{LayerIndexes: idx, CreatedAt: ch.CreatedAt})
		}
	}
	return at, nil
}

// parseCacheConfig decodes a cache config blob.
func parseCacheConfig(dt []byte) (cachetypes.CacheConfig, error) {
	var cfg cachetypes.CacheConfig
	if err := json.Unmarshal(dt, &cfg); err != nil {
		return cfg, fmt.Errorf("decoding cache config: %w", err)
	}
	return cfg, nil
}
