package bake

import (
	"net/url"
	"path"
	"regexp"
	"strings"
)

var (
	httpURL      = regexp.MustCompile(`^(?i)https?://`)
	gitURLSuffix = regexp.MustCompile(`\.git(?:#.+)?$`)
	gitScheme    = regexp.MustCompile(`^(?i)(?:git|ssh)://`)
	// scpURL is git's scp-like ssh syntax, user@host:path, as BuildKit's
	// sshutil matches it.
	scpURL = regexp.MustCompile(`^[a-zA-Z0-9-_]+@[a-zA-Z0-9-.]+:`)
)

// IsRemoteURL reports whether s is a remote context or definition rather
// than a local path, as buildx decides (urlutil.IsRemoteURL): any http(s)
// URL, and git URLs. It is the one such test of xbake: contexts, named
// contexts, Dockerfiles and definitions all go through it.
func IsRemoteURL(s string) bool {
	return httpURL.MatchString(s) || IsGitURL(s)
}

// IsGitURL reports whether s names a git repository, as BuildKit's
// ParseGitRef does: a git:// or ssh:// URL, a github.com/ path, the
// scp-like user@host:path, or an http(s) URL whose path ends in .git (with
// an optional #ref[:subdir] fragment).
func IsGitURL(s string) bool {
	switch {
	case httpURL.MatchString(s):
		return gitURLSuffix.MatchString(s)
	case strings.HasPrefix(s, "./"), strings.HasPrefix(s, "../"):
		return false
	}
	return gitScheme.MatchString(s) || strings.HasPrefix(s, "github.com/") || scpURL.MatchString(s)
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

// urlUserinfo matches the user information of a network URL:
// scheme://USERINFO@. Other schemes are left alone: in
// docker-image://alpine@sha256:..., "alpine" is an image name.
var urlUserinfo = regexp.MustCompile(`(?i)\b((?:https?|git|ssh|git\+ssh|ssh\+git|ftps?|tcp)://)([^/?#@\s"'<>]+)@`)

// RedactURL hides the user information (a user name with a password, or
// a token) of every URL in s, so that a definition URL such as
// https://alice:S3cret@host/repo.git can be shown: in messages, --print
// and progress it reads https://xxxxx@host/repo.git. It is the one way
// xbake shows a URL that came from the user.
func RedactURL(s string) string {
	if !strings.Contains(s, "@") {
		return s
	}
	return urlUserinfo.ReplaceAllString(s, "${1}xxxxx@")
}

// URLCredentials returns the user information of every URL in s, as
// written and decoded, and their passwords, for redactors that match
// values rather than URLs (text a builder prints).
func URLCredentials(s string) []string {
	var out []string
	for _, m := range urlUserinfo.FindAllStringSubmatch(s, -1) {
		info := m[2]
		out = append(out, info)
		if _, pw, ok := strings.Cut(info, ":"); ok {
			out = append(out, pw)
		}
		if dec, err := url.PathUnescape(info); err == nil && dec != info {
			out = append(out, dec)
			if _, pw, ok := strings.Cut(dec, ":"); ok {
				out = append(out, pw)
			}
		}
	}
	return out
}

// redactContext and redactContexts are a target's contexts as --print
// shows them: a remote definition's URL may hold a password.
func redactContext(p *string) *string {
	if p == nil || RedactURL(*p) == *p {
		return p
	}
	r := RedactURL(*p)
	return &r
}

func redactContexts(m map[string]string) map[string]string {
	for _, v := range m {
		if RedactURL(v) != v {
			out := make(map[string]string, len(m))
			for k, v := range m {
				out[k] = RedactURL(v)
			}
			return out
		}
	}
	return m
}
