package bake

import (
	"path"
	"path/filepath"
	"strings"
)

// DockerfilePath returns t's Dockerfile as buildx resolves it. With local
// true it is a file on this machine: a "cwd://" Dockerfile relative to the
// working directory, any other relative one relative to the context, and
// the result relative to the working directory unless absolute. With
// local false BuildKit reads it: the path inside a remote context, or a
// URL; and "" for an inline Dockerfile.
//
// It is the one resolver of xbake: the build mounts the file's folder,
// the planner reads the file to classify cross-compilation, and the
// entitlement checks ask for access to it.
func (t *Target) DockerfilePath() (p string, local bool) {
	if t.DockerfileInline != nil {
		return "", false
	}
	df := "Dockerfile"
	if t.Dockerfile != nil && *t.Dockerfile != "" {
		df = *t.Dockerfile
	}
	if rest, ok := strings.CutPrefix(df, "cwd://"); ok {
		return path.Clean(rest), true
	}
	if IsRemoteURL(df) {
		return df, false
	}
	df = path.Clean(df)
	ctx := "."
	if t.Context != nil && *t.Context != "" {
		ctx = strings.TrimPrefix(*t.Context, "cwd://")
	}
	switch {
	case filepath.IsAbs(df):
		return df, true
	case IsRemoteURL(ctx):
		return df, false
	}
	return filepath.Join(ctx, df), true
}
