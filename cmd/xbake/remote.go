package main

import (
	"archive/tar"
	"bytes"
	"compress/bzip2"
	"compress/gzip"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

// maxRemoteDefinition bounds a definition fetched as a single file, as
// buildx does (2 MiB).
const maxRemoteDefinition = 2 << 20

// remoteArgs splits buildx's positional form: [URL] [CMDCONTEXT_URL]
// [TARGET...]. A first argument that is a remote URL is the definition;
// a second one is BAKE_CMD_CONTEXT.
func remoteArgs(args []string) (defURL, cmdContext string, targets []string) {
	cmdContext, targets = "cwd://", args
	if len(targets) == 0 || !bake.IsRemoteURL(targets[0]) {
		return "", cmdContext, targets
	}
	defURL, targets = targets[0], targets[1:]
	if len(targets) > 0 && bake.IsRemoteURL(targets[0]) {
		cmdContext, targets = targets[0], targets[1:]
	}
	return defURL, cmdContext, targets
}

// remoteDefinition fetches the definition files of a remote bake
// invocation: from a git repository (the default names, or the -f names,
// inside it), or from an http(s) URL that is either an archive holding
// them or the definition itself. Names with a cwd:// prefix are read
// locally. gitURL is set when contexts should point into the repository.
func (a *app) remoteDefinition(ctx context.Context, defURL string, names []string) (files []xhcl.File, gitURL string, err error) {
	var local, remote []string
	for _, n := range names {
		if rest, ok := strings.CutPrefix(n, "cwd://"); ok {
			local = append(local, rest)
		} else {
			remote = append(remote, n)
		}
	}
	dir, err := os.MkdirTemp("", "xbake-remote-")
	if err != nil {
		return nil, "", err
	}
	defer os.RemoveAll(dir)

	root := dir
	switch {
	case bake.IsGitURL(defURL):
		if root, err = a.gitCheckout(ctx, defURL, dir); err != nil {
			return nil, "", err
		}
		gitURL = defURL
	default:
		single, err := fetchHTTP(ctx, defURL, dir)
		if err != nil {
			return nil, "", err
		}
		if single != nil {
			files = append(files, *single)
			root = ""
		}
	}
	if root != "" {
		explicit := len(remote) > 0
		if !explicit {
			remote = defaultFiles
		}
		for _, n := range remote {
			b, err := readRemoteFile(dir, root, n)
			if err != nil {
				if !explicit && errors.Is(err, os.ErrNotExist) {
					continue
				}
				return nil, "", fmt.Errorf("reading %s from %s: %w", n, defURL, unwrapPathError(err))
			}
			files = append(files, xhcl.File{Name: n, Data: b})
		}
	}
	lf, err := a.readFiles(local)
	if err != nil {
		return nil, "", err
	}
	return append(files, lf...), gitURL, nil
}

// readRemoteFile reads name in the directory root of the tree fetched into
// dir. Symbolic links must stay inside dir: a remote definition never reads
// local files.
func readRemoteFile(dir, root, name string) ([]byte, error) {
	p, err := filepath.EvalSymlinks(filepath.Join(root, filepath.FromSlash(path.Clean("/"+name))))
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(dir); err != nil || !insideDir(p, real) {
		return nil, errors.New("it is a symbolic link to a file outside the definition's tree")
	}
	return readRegularFile(p, maxDefinitionFile)
}

// insideDir reports whether p is dir or under it.
func insideDir(p, dir string) bool {
	rel, err := filepath.Rel(dir, p)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// gitCheckout clones the repository of a "repo#ref:subdir" URL into dir
// and returns the directory to read from. BUILDX_BAKE_GIT_AUTH_TOKEN (or
// _HEADER) authenticates https remotes, as in buildx.
func (a *app) gitCheckout(ctx context.Context, defURL, dir string) (string, error) {
	repo, ref, subdir := bake.SplitGitURL(defURL)
	if strings.HasPrefix(repo, "github.com/") {
		repo = "https://" + repo
	}
	env := append(os.Environ(), "GIT_TERMINAL_PROMPT=0")
	if u, err := url.Parse(repo); err == nil && u.Scheme == "https" {
		header := ""
		if tok := a.getenv("BUILDX_BAKE_GIT_AUTH_TOKEN"); tok != "" {
			header = "Authorization: basic " + base64.StdEncoding.EncodeToString([]byte("x-access-token:"+tok))
		} else if h := a.getenv("BUILDX_BAKE_GIT_AUTH_HEADER"); h != "" {
			header = "Authorization: " + h
		}
		if header != "" {
			// Through the environment, not argv: other users can read a
			// process's arguments, and git never prints this setting.
			env = append(env, "GIT_CONFIG_COUNT=1", "GIT_CONFIG_KEY_0=http.extraHeader", "GIT_CONFIG_VALUE_0="+header)
		}
	}
	git := func(args ...string) error {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Env = env
		if out, err := cmd.CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %s", err, strings.TrimSpace(string(out)))
		}
		return nil
	}
	if err := git("clone", "--quiet", repo, dir); err != nil {
		return "", fmt.Errorf("fetching the definition from %s: %w", repo, err)
	}
	if ref != "" {
		if err := git("-C", dir, "-c", "advice.detachedHead=false", "checkout", "--quiet", ref); err != nil {
			return "", fmt.Errorf("checking out %q of %s: %w", ref, repo, err)
		}
	}
	return filepath.Join(dir, filepath.FromSlash(path.Clean("/"+subdir))), nil
}

// fetchHTTP downloads a definition URL. An archive (tar, gzip or bzip2
// compressed) is unpacked into dir and nil is returned; anything else is
// the definition itself, named by its URL.
func fetchHTTP(ctx context.Context, defURL, dir string) (*xhcl.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, defURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the definition: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the definition from %s: %s", defURL, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	if err != nil {
		return nil, fmt.Errorf("fetching the definition from %s: %w", defURL, err)
	}
	head := body[:min(len(body), 1024)]
	var r io.Reader
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 0x08}):
		gz, err := gzip.NewReader(bytes.NewReader(body))
		if err != nil {
			return nil, err
		}
		r = gz
	case bytes.HasPrefix(head, []byte("BZh")):
		r = bzip2.NewReader(bytes.NewReader(body))
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return nil, fmt.Errorf("%s is an xz archive, which xbake cannot unpack; use gzip or a git URL", defURL)
	default:
		if _, err := tar.NewReader(bytes.NewReader(head)).Next(); err == nil {
			r = bytes.NewReader(body)
		}
	}
	if r == nil {
		if len(body) > maxRemoteDefinition {
			return nil, fmt.Errorf("%s is not an archive and is larger than %d bytes: it cannot be a bake definition", defURL, maxRemoteDefinition)
		}
		return &xhcl.File{Name: bake.RedactURL(defURL), Data: body}, nil
	}
	return nil, untar(r, dir)
}

// untar writes the regular files of a tar stream under dir, refusing
// paths that would leave it.
func untar(r io.Reader, dir string) error {
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("unpacking the definition archive: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := path.Clean("/" + h.Name)
		dst := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		f, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
		if err != nil {
			return err
		}
		_, err = io.Copy(f, io.LimitReader(tr, 64<<20))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return err
		}
	}
}
