package builder

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/containerd/platforms"

	"github.com/xbake/xbake/localfile"
)

// fileNode is one entry of a builders file (--builders):
//
//	[
//	  {"name": "amd", "endpoint": "unix:///run/buildkit/buildkitd.sock"},
//	  {"name": "arm", "endpoint": "tcp://10.0.0.2:1234", "platforms": ["linux/arm64"], "max_parallelism": 4,
//	   "tls": {"ca": "ca.pem", "cert": "cert.pem", "key": "key.pem", "server_name": "arm"}}
//	]
//
// Relative TLS paths are relative to the file.
type fileNode struct {
	Name      string   `json:"name"`
	Endpoint  string   `json:"endpoint"`
	Platforms []string `json:"platforms,omitempty"`
	// MaxParallelism is how many solves xbake sends the node at once
	// (as buildkitd's own max-parallelism bounds its steps).
	MaxParallelism int `json:"max_parallelism,omitempty"`
	TLS            *struct {
		CA         string `json:"ca,omitempty"`
		Cert       string `json:"cert,omitempty"`
		Key        string `json:"key,omitempty"`
		ServerName string `json:"server_name,omitempty"`
	} `json:"tls,omitempty"`
}

// maxBuildersFile bounds a builders file.
const maxBuildersFile = 1 << 20

// LoadFile reads a builders file: a JSON list of BuildKit addresses with
// their platforms and TLS files. Every error is a *ConfigError naming the
// file (and the entry).
func LoadFile(path string, getenv func(string) string) (*Builder, error) {
	dt, err := localfile.Read(path, maxBuildersFile)
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	if t := bytes.TrimSpace(dt); len(t) > 0 && t[0] == '{' {
		var g storeGroup
		if json.Unmarshal(t, &g) == nil && g.Name != "" && g.Nodes != nil {
			return nil, configErrorf("%s is a buildx builder (a file of its builder store), not a builders list: use --builder %s (xbake reads buildx's store itself; BUILDX_CONFIG says where it is)", path, g.Name)
		}
		return nil, configErrorf("%s: a builders file is a JSON list: [{\"name\": \"amd\", \"endpoint\": \"tcp://HOST:PORT\", \"platforms\": [\"linux/amd64\"]}, ...]", path)
	}
	var entries []fileNode
	dec := json.NewDecoder(bytes.NewReader(dt))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&entries); err != nil {
		// decodeJSON positions syntax and type errors; what remains is
		// an unknown field, which the decoder names.
		if derr := decodeJSON(dt, &entries); derr != nil {
			return nil, configErrorf("%s: %v", path, derr)
		}
		return nil, configErrorf("%s: %v", path, err)
	}
	if len(entries) == 0 {
		return nil, configErrorf("%s: no builders", path)
	}
	dir := filepath.Dir(path)
	b := &Builder{Name: filepath.Base(path), Source: "--builders", File: path}
	seen := map[string]bool{}
	for i, c := range entries {
		if c.Name == "" {
			c.Name = fmt.Sprintf("node%d", i)
		}
		if seen[c.Name] {
			return nil, configErrorf("%s: builder %q is listed twice", path, c.Name)
		}
		seen[c.Name] = true
		if c.Endpoint == "" {
			return nil, configErrorf("%s: builder %q has no endpoint", path, c.Name)
		}
		if err := checkAddress(c.Endpoint); err != nil {
			return nil, configErrorf("%s: builder %q: %v", path, c.Name, err)
		}
		if c.MaxParallelism < 0 {
			return nil, configErrorf("%s: builder %q: max_parallelism must be at least 1 (or left out)", path, c.Name)
		}
		n := &Node{Builder: b.Name, Name: c.Name, Endpoint: c.Endpoint, Capacity: c.MaxParallelism}
		for _, p := range c.Platforms {
			pl, err := platforms.Parse(p)
			if err != nil {
				return nil, configErrorf("%s: builder %q: %v", path, c.Name, err)
			}
			n.Platforms = append(n.Platforms, platforms.Format(platforms.Normalize(pl)))
		}
		if t := c.TLS; t != nil {
			n.TLS = &TLS{CA: absFrom(dir, t.CA), Cert: absFrom(dir, t.Cert), Key: absFrom(dir, t.Key), ServerName: t.ServerName}
		}
		b.Nodes = append(b.Nodes, n)
	}
	return b, b.prepare(env{getenv}, dir)
}
