package executor

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"strings"

	"github.com/xbake/xbake/plan"
)

// PlatformsKey holds xbake's per-platform details in a target's metadata,
// next to the keys buildx writes.
const PlatformsKey = "xbake.platforms"

// FailedKey holds, in a target's metadata, the error of each of its nodes
// that failed (node ID -> message).
const FailedKey = "xbake.failed"

// Metadata is what `--metadata-file` holds: per target, BuildKit's
// exporter response with base64 JSON values decoded (as buildx writes it),
// so CI steps that read containerimage.digest or image.name keep working.
// A merged target has its index's digest and descriptor; every target
// also has PlatformsKey: platform -> that solve's decoded response. A
// target with failed nodes has FailedKey, and what was published anyway:
// image.name lists only the tags that moved.
func (r *Report) Metadata() map[string]any {
	out := map[string]any{}
	entry := func(name string) map[string]any {
		m, ok := out[name].(map[string]any)
		if !ok {
			m = map[string]any{}
			out[name] = m
		}
		return m
	}
	for _, nr := range r.Nodes {
		if nr.Result == nil {
			continue
		}
		n := nr.Node
		switch n.Kind {
		case plan.KindSolve:
			for i, t := range n.Solve.Targets {
				resp := decodeResponse(nr.Result.ExporterResponse[t.Name])
				m := entry(t.Name)
				plats, _ := m[PlatformsKey].(map[string]any)
				if plats == nil {
					plats = map[string]any{}
					m[PlatformsKey] = plats
				}
				plats[n.Platform] = resp
				// A target of one planned platform has this solve's
				// response as its own; several platforms have their
				// merge node's, or none when nothing was merged.
				// The node that built it is a platform's (BuilderKey);
				// the target's own keys are buildx's.
				if !n.Solve.PerPlatform(i) {
					for k, v := range resp {
						if k != BuilderKey {
							m[k] = v
						}
					}
				}
			}
		case plan.KindMerge:
			t := n.Merge.Target
			m := entry(t.Name)
			for k, v := range decodeResponse(nr.Result.ExporterResponse[t.Name]) {
				m[k] = v
			}
		}
	}
	r.addFailures(entry)
	r.addMultiPlatformKeys(out)
	return out
}

// addFailures records, for a run that failed, what its failed nodes
// published all the same (the tags an index push reached before the
// registry refused one) and the error of each.
func (r *Report) addFailures(entry func(string) map[string]any) {
	for _, nr := range r.Nodes {
		if nr.Status != StatusFailed {
			continue
		}
		var names []string
		switch n := nr.Node; n.Kind {
		case plan.KindSolve:
			for _, t := range n.Solve.Targets {
				names = append(names, t.Name)
			}
		case plan.KindMerge:
			names = []string{n.Merge.Target.Name}
			if res := nr.Output(); res != nil {
				maps.Copy(entry(n.Merge.Target.Name), decodeResponse(res.ExporterResponse[n.Merge.Target.Name]))
			}
		}
		for _, name := range names {
			m := entry(name)
			failed, _ := m[FailedKey].(map[string]any)
			if failed == nil {
				failed = map[string]any{}
				m[FailedKey] = failed
			}
			msg := "failed"
			if nr.Err != nil {
				msg = nr.Err.Error()
			}
			failed[nr.Node.ID] = msg
		}
	}
}

// decodeResponse decodes the values that are base64-encoded JSON, as
// buildx does for its metadata file; other values stay strings.
func decodeResponse(er map[string]string) map[string]any {
	out := make(map[string]any, len(er))
	for k, v := range er {
		out[k] = v
		if strings.HasPrefix(v, "{") || strings.HasPrefix(v, "[") {
			continue
		}
		dt, err := base64.StdEncoding.DecodeString(v)
		if err != nil {
			continue
		}
		var js any
		if json.Unmarshal(dt, &js) == nil {
			if _, isObj := js.(map[string]any); isObj {
				out[k] = js
			} else if _, isArr := js.([]any); isArr {
				out[k] = js
			}
		}
	}
	return out
}
