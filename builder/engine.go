package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	mobyclient "github.com/moby/moby/client"
)

// Engine is a connected Docker engine, for `--load`.
type Engine struct {
	*DockerEngine
	api *mobyclient.Client
	// MultiPlatform: the engine keeps images in containerd's image store,
	// which holds a multi-platform image under one tag (the classic store
	// keeps one platform per tag).
	MultiPlatform bool
}

// OpenEngine finds the engine named by name (a docker context, an engine
// address, or "" for the docker CLI's choice) and checks that it answers.
func OpenEngine(ctx context.Context, getenv func(string) string, name string) (*Engine, error) {
	d, err := ResolveDocker(getenv, name)
	if err != nil {
		return nil, err
	}
	api, err := d.Client()
	if err != nil {
		return nil, err
	}
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if _, err := api.Ping(pctx, mobyclient.PingOptions{NegotiateAPIVersion: true}); err != nil {
		api.Close()
		return nil, errors.New(d.unreachable(err))
	}
	e := &Engine{DockerEngine: d, api: api}
	e.MultiPlatform = multiPlatformStore(pctx, api)
	return e, nil
}

// multiPlatformStore reports whether the engine keeps images in the
// containerd image store, which holds several platforms under one tag
// (buildx's test for the same, dockerutil's OCI importer feature); false
// when the engine does not say.
func multiPlatformStore(ctx context.Context, api *mobyclient.Client) bool {
	info, err := api.Info(ctx, mobyclient.InfoOptions{})
	if err != nil {
		return false
	}
	for _, kv := range info.Info.DriverStatus {
		if kv[0] == "driver-type" && kv[1] == "io.containerd.snapshotter.v1" {
			return true
		}
	}
	return false
}

// Load streams an image tarball (docker or OCI layout) into the engine.
// The engine reports a bad archive in its JSON stream, not in the HTTP
// status, so the stream is read to the end.
func (e *Engine) Load(ctx context.Context, r io.Reader) error {
	res, err := e.api.ImageLoad(ctx, r, mobyclient.ImageLoadWithQuiet(true))
	if err != nil {
		return fmt.Errorf("loading into the %s: %w", e.DockerEngine, err)
	}
	defer res.Close()
	dec := json.NewDecoder(io.LimitReader(res, 1<<20))
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); err == io.EOF {
			return nil
		} else if err != nil {
			return fmt.Errorf("loading into the %s: reading its answer: %w", e.DockerEngine, err)
		}
		if msg := m.Error; msg != "" || m.ErrorDetail != nil {
			if m.ErrorDetail != nil && m.ErrorDetail.Message != "" {
				msg = m.ErrorDetail.Message
			}
			return fmt.Errorf("loading into the %s: %s", e.DockerEngine, strings.TrimSpace(msg))
		}
	}
}

// Close releases the API client.
func (e *Engine) Close() error { return e.api.Close() }
