package inputs

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moby/patternmatcher/ignorefile"
)

// Ignore file names, as BuildKit's Dockerfile frontend (dockerui) reads
// them.
const (
	dockerignore       = ".dockerignore"
	dockerfileName     = "Dockerfile"
	dockerignoreSuffix = ".dockerignore"
)

// Local is one local directory a build sends to BuildKit, filtered as the
// Dockerfile frontend asks for it.
type Local struct {
	Mount string // the mount name ("context", "ctx-NAME")
	Dir   string // absolute
	// IgnoreFile is the ignore file whose patterns filter the directory,
	// whether or not it exists: for the context,
	// `<Dockerfile>.dockerignore` next to the Dockerfile when that exists,
	// else the context's `.dockerignore`; for a named context its own
	// `.dockerignore`.
	IgnoreFile string
	// Excludes are IgnoreFile's patterns; nil when it does not exist.
	Excludes []string
}

// ReadFile reads a file; a missing one is an error that wraps
// fs.ErrNotExist. ReadSmallFile is one.
type ReadFile func(path string) ([]byte, error)

// Sources returns the local directories r sends with what filters them,
// sorted by mount name. The Dockerfile's folder is left out: the
// frontend reads only the Dockerfile from it (DockerfileFile) and its
// ignore file (which IgnoreFile of the context names).
func (r *Request) Sources(read ReadFile) ([]Local, error) {
	if read == nil {
		read = ReadSmallFile
	}
	var out []Local
	for _, m := range slices.Sorted(maps.Keys(r.Locals)) {
		if m == MountDockerfile {
			continue
		}
		l := Local{Mount: m, Dir: r.Locals[m]}
		candidates := []string{filepath.Join(l.Dir, dockerignore)}
		if df, ok := r.Locals[MountDockerfile]; ok && m == MountContext {
			// The Dockerfile's own ignore file wins when it exists.
			candidates = append([]string{filepath.Join(df, r.Attrs["filename"]+dockerignoreSuffix)}, candidates...)
		}
		for i, c := range candidates {
			data, err := read(c)
			if errors.Is(err, fs.ErrNotExist) && i < len(candidates)-1 {
				continue
			}
			l.IgnoreFile = c
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("reading %s: %w", c, err)
			}
			if err == nil {
				if l.Excludes, err = Patterns(data); err != nil {
					return nil, fmt.Errorf("%s: %w", c, err)
				}
			}
			break
		}
		out = append(out, l)
	}
	return out, nil
}

// Patterns parses an ignore file as BuildKit does. An empty file has no
// patterns but is not nil, which tells it from a missing one.
func Patterns(data []byte) ([]string, error) {
	p, err := ignorefile.ReadAll(bytes.NewReader(data))
	if p == nil && err == nil {
		p = []string{}
	}
	return p, err
}

// Dockerfiles are the local files the frontend tries, in order, for r's
// Dockerfile (DockerfileNames). None for an inline Dockerfile or one in
// a remote context.
func (r *Request) Dockerfiles() []string {
	dir, ok := r.Locals[MountDockerfile]
	if !ok || r.InlineDockerfile != nil {
		return nil
	}
	return DockerfileNames(filepath.Join(dir, r.Attrs["filename"]))
}

// DockerfileNames are the files the frontend tries, in order, for the
// Dockerfile at path: path, then, when it is named "Dockerfile",
// "dockerfile" in the same folder (as BuildKit does when the first does
// not exist).
func DockerfileNames(path string) []string {
	if filepath.Base(path) != dockerfileName {
		return []string{path}
	}
	return []string{path, filepath.Join(filepath.Dir(path), strings.ToLower(dockerfileName))}
}
