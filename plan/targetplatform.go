package plan

import (
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/hashicorp/hcl/v2"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
)

type parsedPlatform struct {
	spec ocispec.Platform
	key  string
	err  *PlatformError
	// unparsable is set for an error that buildx's --print makes too:
	// containerd cannot parse the specifier.
	unparsable bool
}

func (b *builder) parse(s string) parsedPlatform {
	if pp, ok := b.parsed[s]; ok {
		return pp
	}
	p, err := parsePlatform(s)
	pp := parsedPlatform{spec: p, err: err}
	if err == nil {
		pp.key = FormatPlatform(p)
	} else if _, cerr := platforms.Parse(s); cerr != nil && s != "" {
		pp.unparsable = true
	}
	b.parsed[s] = pp
	return pp
}

// resolvePlatforms fills ti.plats: each element of `platforms` may hold
// several comma-separated specifiers (buildx allows it), "local" is the
// default platform, and repeats are dropped keeping the first position.
// A target that declares none gets the default platform.
func (b *builder) resolvePlatforms(ti *tinfo) {
	t := ti.t
	if len(t.Platforms) == 0 {
		if b.linksOnly {
			ti.broken = true
			return
		}
		if d, ok := b.defaultPlatform(ti); ok {
			ti.plats = []tplat{d}
		} else {
			ti.broken = true
		}
		return
	}
	ti.plats = make([]tplat, 0, len(t.Platforms))
	for i, elem := range t.Platforms {
		rng := t.ElemRange("platforms", strconv.Itoa(i))
		for off := 0; off <= len(elem); {
			end := strings.IndexByte(elem[off:], ',')
			if end < 0 {
				end = len(elem)
			} else {
				end += off
			}
			item := elem[off:end]
			lead := len(item) - len(strings.TrimLeft(item, " \t"))
			item = strings.TrimSpace(item)
			b.addPlatform(ti, item, subRange(rng, elem, off+lead, len(item)))
			off = end + 1
		}
	}
}

func (b *builder) addPlatform(ti *tinfo, item string, rng hcl.Range) {
	var tp tplat
	if b.linksOnly && strings.EqualFold(item, "local") {
		ti.broken = true
		return
	}
	if strings.EqualFold(item, "local") {
		d, ok := b.defaultPlatform(ti)
		if !ok {
			ti.broken = true
			return
		}
		tp = d
	} else {
		pp := b.parse(item)
		if pp.err != nil {
			if !b.linksOnly || pp.unparsable {
				b.errorf(rng, pp.err.Summary, "%s", pp.err.Detail)
			}
			ti.broken = true
			return
		}
		tp = tplat{spec: pp.spec, key: pp.key}
	}
	for _, have := range ti.plats {
		if have.key == tp.key {
			return
		}
	}
	ti.plats = append(ti.plats, tp)
}

// subRange narrows the range of a quoted list element to one of its
// comma-separated specifiers, when the range is exactly the quoted literal
// on one line (so byte and column offsets agree); otherwise the whole
// element is the narrowest range we know.
func subRange(r hcl.Range, elem string, off, n int) hcl.Range {
	if !strings.Contains(elem, ",") || r.Start.Line != r.End.Line ||
		r.End.Byte-r.Start.Byte != len(elem)+2 || !isPlainLiteral(elem) {
		return r
	}
	start := hcl.Pos{Line: r.Start.Line, Column: r.Start.Column + 1 + off, Byte: r.Start.Byte + 1 + off}
	end := hcl.Pos{Line: start.Line, Column: start.Column + n, Byte: start.Byte + n}
	return hcl.Range{Filename: r.Filename, Start: start, End: end}
}

func isPlainLiteral(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == '\\' || s[i] == '$' || s[i] == '%' {
			return false
		}
	}
	return true
}
