package digests

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"maps"
	"slices"
)

// encoder writes an unambiguous encoding into a SHA-256: strings carry
// their length and lists their count, so no two different inputs give
// the same bytes.
type encoder struct {
	h   hash.Hash
	buf [binary.MaxVarintLen64]byte
}

func newEncoder(kind string) *encoder {
	e := &encoder{h: sha256.New()}
	e.str(kind)
	return e
}

func (e *encoder) uint(v uint64) {
	n := binary.PutUvarint(e.buf[:], v)
	e.h.Write(e.buf[:n])
}

func (e *encoder) str(s string) {
	e.uint(uint64(len(s)))
	e.h.Write([]byte(s))
}

func (e *encoder) bytes(b []byte) {
	e.uint(uint64(len(b)))
	e.h.Write(b)
}

func (e *encoder) strs(ss []string) {
	e.uint(uint64(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

// smap writes a map in key order.
func (e *encoder) smap(m map[string]string) {
	e.uint(uint64(len(m)))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(k)
		e.str(m[k])
	}
}

// digest is "sha256:" and the hex of what was written.
func (e *encoder) digest() string {
	return "sha256:" + hex.EncodeToString(e.h.Sum(nil))
}

// digestOf is the digest of one string of a kind.
func digestOf(kind, s string) string {
	e := newEncoder(kind)
	e.str(s)
	return e.digest()
}
