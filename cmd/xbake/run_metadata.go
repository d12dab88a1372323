//go:build !xbakefront

package main

import (
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
)

// writeMetadata writes the report's metadata (buildx's keys per target,
// plus xbake.platforms) atomically: a reader sees the old file or the
// whole new one.
func writeMetadata(path string, rep *executor.Report, red *executor.Redactor) error {
	dt, err := json.MarshalIndent(rep.Metadata(), "", "  ")
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

// secretValues are the values of the definition's secrets, to keep them
// out of everything printed or written. Files over 64 KiB are skipped:
// they are certificates or keys whose lines are redacted if short enough.
func secretValues(a *app, def *bake.Definition, wd string) []string {
	var out []string
	for _, t := range def.Targets {
		for _, s := range t.Secrets {
			switch {
			case s.Env != "":
				out = append(out, a.getenv(s.Env))
			case s.FilePath != "":
				if fi, err := os.Stat(absFrom(wd, s.FilePath)); err == nil && fi.Size() <= 64<<10 {
					if dt, err := os.ReadFile(absFrom(wd, s.FilePath)); err == nil {
						out = append(out, string(dt))
					}
				}
			default:
				out = append(out, a.getenv(s.ID))
			}
		}
	}
	return out
}
