package digests

import (
	"encoding/json"
	"maps"
	"slices"
	"strings"
)

// What xbake pushes records its inputs, so that a later run can find the
// image built from the same inputs and say what changed since:
//
//   - every image manifest pushed to a registry carries the annotations
//     AnnotationInputs (its solve's digest) and AnnotationParts (each
//     part's digest, shortened, as JSON);
//   - each repository a target pushes to gets the tag Target.Tag
//     ("xbake-inputs-<hex>") on the image or index its tags got.
//
// The tag finds an image by its inputs with one request, whatever the
// user's tags are (a commit's tag, a branch's) and wherever they moved
// since; the annotations say which input changed when none is found.
const (
	AnnotationInputs = "io.github.xbake.inputs"
	AnnotationParts  = "io.github.xbake.inputs.parts"
)

// shortPart is how many hex digits of a part's digest a record keeps:
// enough to see a change, short enough for an annotation.
const shortPart = 16

// Annotations are what an image built by s records of its inputs; nil
// when s has no digest.
func (s *Solve) Annotations() map[string]string {
	if s == nil || s.Digest == "" {
		return nil
	}
	short := make(map[string]string, len(s.Parts))
	for k, v := range s.Parts {
		short[k] = shorten(v)
	}
	data, _ := json.Marshal(short) // sorted keys
	return map[string]string{AnnotationInputs: s.Digest, AnnotationParts: string(data)}
}

func shorten(d string) string {
	d = strings.TrimPrefix(d, "sha256:")
	return d[:min(len(d), shortPart)]
}

// Changed lists, sorted, the parts of s that differ from what an image's
// annotations recorded (parts added or gone included). ok is false when
// the annotations hold no record.
func (s *Solve) Changed(annotations map[string]string) (changed []string, ok bool) {
	var rec map[string]string
	if err := json.Unmarshal([]byte(annotations[AnnotationParts]), &rec); err != nil || rec == nil {
		return nil, false
	}
	for _, k := range slices.Sorted(maps.Keys(s.Parts)) {
		if rec[k] != shorten(s.Parts[k]) {
			changed = append(changed, k)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(rec)) {
		if _, ok := s.Parts[k]; !ok {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed, true
}
