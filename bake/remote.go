package bake

import (
	"path"
	"regexp"
	"strings"
)

var (
	httpURL      = regexp.MustCompile(`^https?://`)
	gitURLSuffix = regexp.MustCompile(`\.git(?:#.+)?$`)
)

// IsRemoteURL reports whether s is a remote context or definition rather
// than a local path, as buildx decides: any http(s) URL, and git URLs.
func IsRemoteURL(s string) bool {
	return httpURL.MatchString(s) || IsGitURL(s)
}

// IsGitURL reports whether s names a git repository: git://, git@,
// github.com/ prefixes, or an http(s) URL whose path ends in .git (with an
// optional #ref[:subdir] fragment).
func IsGitURL(s string) bool {
	if httpURL.MatchString(s) && gitURLSuffix.MatchString(s) {
		return true
	}
	for _, p := range []string{"git://", "github.com/", "git@"} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// SplitGitURL splits "repo#ref:subdir" into its parts.
func SplitGitURL(s string) (repo, ref, subdir string) {
	repo, frag, _ := strings.Cut(s, "#")
	ref, subdir, _ = strings.Cut(frag, ":")
	return repo, ref, subdir
}

// remoteContext rewrites a local context path of a definition read from a
// git repository: "." is the repository itself, a sub-path is the same
// repository with the sub-path as its subdir. cwd:// paths, other remote
// URLs, target: links and images are left alone.
func remoteContext(p, definitionURL string) string {
	if !isLocalPath(p) || path.IsAbs(p) {
		return p
	}
	repo, ref, dir := SplitGitURL(definitionURL)
	sub := path.Join(dir, p)
	if sub == "." {
		if ref == "" && dir == "" {
			return definitionURL
		}
		sub = ""
	}
	if sub == "" {
		return repo + "#" + ref
	}
	return repo + "#" + ref + ":" + sub
}

// rewriteRemote makes the target's local contexts point into the remote
// definition's repository.
func (t *Target) rewriteRemote(definitionURL string) {
	if t.Context != nil {
		c := remoteContext(*t.Context, definitionURL)
		t.Context = &c
	}
	if len(t.Contexts) > 0 {
		out := make(map[string]string, len(t.Contexts))
		for k, v := range t.Contexts {
			out[k] = remoteContext(v, definitionURL)
		}
		t.Contexts = out
	}
}
