//go:build !xbakefront

package main

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/moby/buildkit/session/secrets/secretsprovider"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/localfile"
)

// writeMetadata writes a report's metadata (buildx's keys per target,
// plus xbake.platforms) atomically: a reader sees the old file or the
// whole new one.
func writeMetadata(path string, md map[string]any, red *executor.Redactor) error {
	dt, err := json.MarshalIndent(md, "", "  ")
	if err != nil {
		return err
	}
	dt = []byte(red.String(string(dt)) + "\n")
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(dt); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// secretValues are the values of the definition's secrets (and of
// ACTIONS_RUNTIME_TOKEN), and the credentials of the URLs of its contexts
// (a remote definition's URL may hold a password, and BuildKit names a
// git context by its URL), to keep them out of everything printed or
// written. Secret files are read up to BuildKit's limit for a secret; a
// larger one fails the build anyway.
func secretValues(a *app, def *bake.Definition, wd string) []string {
	// The Actions runtime token goes to BuildKit in gha cache entries.
	out := []string{a.getenv("ACTIONS_RUNTIME_TOKEN")}
	for _, t := range def.Targets {
		for _, s := range t.Secrets {
			switch {
			case s.Env != "":
				out = append(out, a.getenv(s.Env))
			case s.FilePath != "":
				if dt, err := localfile.Read(absFrom(wd, s.FilePath), secretsprovider.MaxSecretSize); err == nil {
					out = append(out, string(dt))
				}
			default:
				out = append(out, a.getenv(s.ID))
			}
		}
		if t.Context != nil {
			out = append(out, bake.URLCredentials(*t.Context)...)
		}
		for _, k := range slices.Sorted(maps.Keys(t.Contexts)) {
			out = append(out, bake.URLCredentials(t.Contexts[k])...)
		}
	}
	return out
}
