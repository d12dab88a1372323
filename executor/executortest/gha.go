package executortest

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// ActionsCache is a stand-in for the GitHub Actions cache service, the
// v1 REST protocol that BuildKit's gha cache speaks through
// github.com/tonistiigi/go-actions-cache: look up a key by prefix
// (GET _apis/artifactcache/cache), reserve one (POST caches), upload it
// in ranges (PATCH caches/ID), commit it (POST caches/ID), then download
// it from the archive location the lookup returned. It listens on
// 127.0.0.1 and accepts only requests with its own Token.
type ActionsCache struct {
	// URL is what ACTIONS_CACHE_URL holds; Token is ACTIONS_RUNTIME_TOKEN
	// (a JWT with the claims the client checks: ac, exp, nbf).
	URL, Token string

	mu      sync.Mutex
	entries []*actionsEntry // in reservation order
	hits    int             // lookups answered with an entry
}

type actionsEntry struct {
	key       string
	data      []byte
	committed bool
}

// StartActionsCache starts an Actions cache stand-in for the test.
func StartActionsCache(t testing.TB) *ActionsCache {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c := &ActionsCache{URL: "http://" + ln.Addr().String() + "/", Token: actionsToken(time.Now())}
	srv := &http.Server{Handler: c, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return c
}

// actionsToken is an HS256 JWT whose access controls grant read and write
// on one scope, valid for an hour.
func actionsToken(now time.Time) string {
	enc := base64.RawURLEncoding.EncodeToString
	header, _ := json.Marshal(map[string]string{"alg": "HS256", "typ": "JWT"})
	claims, _ := json.Marshal(map[string]any{
		"ac":  `[{"Scope":"refs/heads/main","Permission":3}]`,
		"nbf": now.Add(-time.Minute).Unix(),
		"exp": now.Add(time.Hour).Unix(),
	})
	signed := enc(header) + "." + enc(claims)
	mac := hmac.New(sha256.New, []byte("xbake-test"))
	mac.Write([]byte(signed))
	return signed + "." + enc(mac.Sum(nil))
}

// Keys lists the committed keys, in the order they were reserved.
func (c *ActionsCache) Keys() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for _, e := range c.entries {
		if e.committed {
			out = append(out, e.key)
		}
	}
	return out
}

// Hits counts the lookups that found an entry.
func (c *ActionsCache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

const actionsAPI = "/_apis/artifactcache/"

func (c *ActionsCache) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if id, ok := strings.CutPrefix(r.URL.Path, "/download/"); ok {
		// The archive location is pre-authenticated, as Azure's is.
		c.download(w, r, id)
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+c.Token {
		http.Error(w, `{"message":"bad token"}`, http.StatusUnauthorized)
		return
	}
	path, ok := strings.CutPrefix(r.URL.Path, actionsAPI)
	switch {
	case !ok:
		http.NotFound(w, r)
	case r.Method == http.MethodGet && path == "cache":
		c.lookup(w, r)
	case r.Method == http.MethodPost && path == "caches":
		c.reserve(w, r)
	case r.Method == http.MethodPatch && strings.HasPrefix(path, "caches/"):
		c.upload(w, r, strings.TrimPrefix(path, "caches/"))
	case r.Method == http.MethodPost && strings.HasPrefix(path, "caches/"):
		c.commit(w, r, strings.TrimPrefix(path, "caches/"))
	default:
		http.NotFound(w, r)
	}
}

// lookup answers with the newest committed entry whose key starts with
// one of the keys, tried in order; 204 when there is none.
func (c *ActionsCache) lookup(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, k := range strings.Split(r.URL.Query().Get("keys"), ",") {
		for i, e := range slices.Backward(c.entries) {
			if !e.committed || !strings.HasPrefix(e.key, k) {
				continue
			}
			c.hits++
			writeJSON(w, http.StatusOK, map[string]any{
				"cacheKey":        e.key,
				"scope":           "refs/heads/main",
				"archiveLocation": c.URL + "download/" + strconv.Itoa(i+1),
			})
			return
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

func (c *ActionsCache) reserve(w http.ResponseWriter, r *http.Request) {
	var req struct{ Key string }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Key == "" {
		http.Error(w, `{"message":"bad request"}`, http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.entries {
		if e.key == req.Key {
			writeJSON(w, http.StatusConflict, map[string]string{"typeKey": "ArtifactCacheItemAlreadyExistsException", "message": "Cache already exists."})
			return
		}
	}
	c.entries = append(c.entries, &actionsEntry{key: req.Key})
	writeJSON(w, http.StatusOK, map[string]int{"cacheID": len(c.entries)})
}

func (c *ActionsCache) upload(w http.ResponseWriter, r *http.Request, id string) {
	var start, end int64
	if _, err := fmt.Sscanf(r.Header.Get("Content-Range"), "bytes %d-%d/*", &start, &end); err != nil {
		http.Error(w, `{"message":"bad range"}`, http.StatusBadRequest)
		return
	}
	var body bytes.Buffer
	if _, err := body.ReadFrom(r.Body); err != nil || int64(body.Len()) != end-start+1 {
		http.Error(w, `{"message":"short chunk"}`, http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(id)
	if e == nil || e.committed {
		http.Error(w, `{"message":"no such reservation"}`, http.StatusNotFound)
		return
	}
	if n := end + 1; int64(len(e.data)) < n {
		e.data = append(e.data, make([]byte, n-int64(len(e.data)))...)
	}
	copy(e.data[start:], body.Bytes())
}

func (c *ActionsCache) commit(w http.ResponseWriter, r *http.Request, id string) {
	var req struct{ Size int64 }
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, `{"message":"bad request"}`, http.StatusBadRequest)
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entry(id)
	if e == nil || int64(len(e.data)) != req.Size {
		http.Error(w, `{"message":"size mismatch"}`, http.StatusBadRequest)
		return
	}
	e.committed = true
}

func (c *ActionsCache) download(w http.ResponseWriter, r *http.Request, id string) {
	c.mu.Lock()
	e := c.entry(id)
	c.mu.Unlock()
	if e == nil || !e.committed {
		http.NotFound(w, r)
		return
	}
	// ServeContent answers "Range: bytes=N-" with 206 and Content-Range.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(e.data))
}

// entry is the reservation with the given ID; c.mu must be held.
func (c *ActionsCache) entry(id string) *actionsEntry {
	i, err := strconv.Atoi(id)
	if err != nil || i < 1 || i > len(c.entries) {
		return nil
	}
	return c.entries[i-1]
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
