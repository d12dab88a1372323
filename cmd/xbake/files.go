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
	"github.com/xbake/xbake/localfile"
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

// Definition files are read whole into memory, so their size is capped;
// the caps are far above any real definition (the largest example is a few
// KiB, a 5,000-target file about 1 MiB).
const (
	maxDefinitionFile  = 16 << 20 // one file
	maxDefinitionTotal = 64 << 20 // all the files of a run
)

// readFiles reads the definition files; "-" is stdin. Only regular files,
// pipes and stdin are read (a pipe for process substitution, -f <(...)):
// a device such as /dev/zero never ends.
func (a *app) readFiles(names []string) ([]xhcl.File, error) {
	files := make([]xhcl.File, 0, len(names))
	total := 0
	for _, n := range names {
		f := xhcl.File{Name: xhcl.StdinName}
		var err error
		if n == "-" {
			n = "stdin"
			f.Data, err = readCapped(a.stdin, maxDefinitionFile)
		} else {
			f.Name = filepath.ToSlash(filepath.Clean(n))
			f.Data, err = readFileCapped(a.path(n), maxDefinitionFile)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", n, err)
		}
		if total += len(f.Data); total > maxDefinitionTotal {
			return nil, fmt.Errorf("reading %s: the definition files are larger than %s together, the limit for one run", n, localfile.FormatSize(maxDefinitionTotal))
		}
		files = append(files, f)
	}
	return files, nil
}

// tooLargeError is a file over its size limit.
type tooLargeError struct{ limit int64 }

func (e *tooLargeError) Error() string {
	return fmt.Sprintf("it is larger than %s, the limit for a definition file; split it into several files (-f a.hcl -f b.hcl)", localfile.FormatSize(e.limit))
}

// readFileCapped reads the file at path if it is a regular file or a pipe
// of at most limit bytes.
func readFileCapped(path string, limit int64) ([]byte, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	if err := readableKind(st.Mode()); err != nil {
		return nil, err
	}
	return openCapped(path, limit)
}

func openCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPathError(err)
	}
	defer f.Close()
	return readCapped(f, limit)
}

// readableKind refuses what is neither a regular file nor a pipe: reading
// a device (/dev/zero, /dev/urandom, a terminal) or a directory cannot give
// a definition.
func readableKind(m fs.FileMode) error {
	switch {
	case m.IsRegular(), m&fs.ModeNamedPipe != 0:
		return nil
	case m.IsDir():
		return errors.New("it is a directory; name a file in it")
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return errors.New("it is a device, not a file; give a file, or - to read stdin")
	default:
		return errors.New("it is not a regular file; give a file, or - to read stdin")
	}
}

// readCapped reads r to its end, failing as soon as more than limit bytes
// came, so that an endless stream costs limit bytes of memory at most.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &tooLargeError{limit: limit}
	}
	return b, nil
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

// unwrapPathError is err without the path, for a message that names the
// file itself: "reading x.hcl: no such file or directory", "reading
// x.hcl: it is not a regular file".
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *localfile.Error
	if errors.As(err, &le) {
		return errors.New("it " + le.Reason())
	}
	return err
}
