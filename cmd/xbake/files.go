package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	xhcl "github.com/xbake/xbake/hcl"
)

// defaultFiles are read, every one that exists, in this order, when no -f
// is given (docs/architecture.md, decision 2): Compose's names as buildx
// reads them (Compose always merges first, so their place does not
// matter), xbake's own names, then buildx's.
var defaultFiles = []string{
	"compose.yaml",
	"compose.yml",
	"docker-compose.yml",
	"docker-compose.yaml",
	"xbuild.hcl",
	"xbuild.json",
	"xbuild.override.hcl",
	"xbuild.override.json",
	"docker-bake.json",
	"docker-bake.hcl",
	"docker-bake.override.json",
	"docker-bake.override.hcl",
}

// definitionFiles returns the files to read: -f flags, else XBAKE_FILE or
// BUILDX_BAKE_FILE (a list split on BUILDX_BAKE_PATH_SEPARATOR or ":"),
// else the default names that exist in the working directory.
func (a *app) definitionFiles(flags []string) (names []string, explicit bool, err error) {
	if len(flags) > 0 {
		// cwd:// names a local file next to a remote definition; locally it
		// is just the file.
		names = make([]string, len(flags))
		for i, f := range flags {
			names[i] = strings.TrimPrefix(f, "cwd://")
		}
		return names, true, nil
	}
	for _, env := range []string{"XBAKE_FILE", "BUILDX_BAKE_FILE"} {
		v, ok := a.lookupEnv(env)
		if !ok {
			continue
		}
		sep := a.getenv("BUILDX_BAKE_PATH_SEPARATOR")
		if sep == "" {
			sep = string(os.PathListSeparator)
		}
		for _, p := range strings.Split(v, sep) {
			if p = strings.TrimSpace(p); p == "" {
				continue
			}
			if p != "-" {
				if _, err := os.Stat(a.path(p)); err != nil {
					return nil, true, fmt.Errorf("%s names %s: %w", env, p, unwrapPathError(err))
				}
			}
			names = append(names, p)
		}
		if len(names) > 0 {
			return names, true, nil
		}
		// An empty list names no file: the next variable, or the defaults.
	}
	for _, n := range defaultFiles {
		if _, err := os.Stat(a.path(n)); err == nil {
			names = append(names, n)
		}
	}
	return names, false, nil
}

// readFiles reads the definition files; "-" is stdin.
func (a *app) readFiles(names []string) ([]xhcl.File, error) {
	files := make([]xhcl.File, 0, len(names))
	for _, n := range names {
		if n == "-" {
			b, err := io.ReadAll(a.stdin)
			if err != nil {
				return nil, fmt.Errorf("reading the definition from stdin: %w", err)
			}
			files = append(files, xhcl.File{Name: xhcl.StdinName, Data: b})
			continue
		}
		b, err := os.ReadFile(a.path(n))
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", n, unwrapPathError(err))
		}
		files = append(files, xhcl.File{Name: filepath.ToSlash(filepath.Clean(n)), Data: b})
	}
	return files, nil
}

// path resolves a name against the app's working directory (tests run the
// CLI in-process in another directory).
func (a *app) path(name string) string {
	if filepath.IsAbs(name) {
		return name
	}
	wd, err := a.getwd()
	if err != nil {
		return name
	}
	return filepath.Join(wd, name)
}

func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
