//go:build !xbakefront

package main

import (
	"archive/tar"
	"bufio"
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
	"github.com/xbake/xbake/executor/oci"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/localfile"
)

// maxRemoteDefinition bounds a definition fetched as a single file, as
// buildx does (2 MiB).
const maxRemoteDefinition = 2 << 20

// remoteDefinition fetches the definition files of a remote bake
// invocation: from a git repository (the default names, or the given
// names, inside it), or from an http(s) URL that is either an archive
// holding them or the definition itself. gitURL is set when contexts
// should point into the repository.
func (a *app) remoteDefinition(ctx context.Context, defURL string, names []string) (files []xhcl.File, gitURL string, err error) {
	explicit := len(names) > 0
	if !explicit {
		names = defaultFiles
	}
	if bake.IsGitURL(defURL) {
		if files, err = a.gitDefinition(ctx, defURL, names, explicit); err != nil {
			return nil, "", err
		}
		return files, defURL, nil
	}
	files, err = fetchHTTP(ctx, defURL, names, explicit)
	return files, "", err
}

// gitDefinition checks the repository out into a temporary directory and
// reads the definition files in it.
func (a *app) gitDefinition(ctx context.Context, defURL string, names []string, explicit bool) ([]xhcl.File, error) {
	dir, err := os.MkdirTemp("", "xbake-remote-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	root, err := a.gitCheckout(ctx, defURL, dir)
	if err != nil {
		return nil, err
	}
	var files []xhcl.File
	for _, n := range names {
		b, err := readRemoteFile(dir, root, n)
		if err != nil {
			if !explicit && errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, badDefinitionf("reading %s from %s: %w", n, defURL, unwrapPathError(err))
		}
		files = append(files, xhcl.File{Name: n, Data: b})
	}
	return files, nil
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
	return localfile.Read(p, maxDefinitionFile)
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

// A definition archive is read as a stream, and only the definition files
// are kept, in memory: nothing is written to disk (a 2.6 MB tar.gz of
// large files used to write 2.3 GB under the temporary directory). The
// stream is bounded too, for time.
const (
	maxArchiveDownload = 256 << 20 // bytes of the response
	maxArchiveSize     = 256 << 20 // bytes of the tar stream, uncompressed
	maxArchiveEntries  = 100_000
)

// fetchHTTP downloads a definition URL: an archive (tar, gzip or bzip2
// compressed) holding the named files, or the definition itself, named by
// its URL (with its credentials hidden). Only explicit names must be in
// the archive.
func fetchHTTP(ctx context.Context, defURL string, names []string, explicit bool) ([]xhcl.File, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, defURL, nil)
	if err != nil {
		return nil, err
	}
	resp, err := (&http.Client{Transport: oci.Transport(httpTimeouts)}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching the definition: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching the definition from %s: %s", defURL, resp.Status)
	}
	body := bufio.NewReader(io.LimitReader(resp.Body, maxArchiveDownload))
	head, _ := body.Peek(1024)
	var r io.Reader
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b, 0x08}):
		gz, err := gzip.NewReader(body)
		if err != nil {
			return nil, err
		}
		r = gz
	case bytes.HasPrefix(head, []byte("BZh")):
		r = bzip2.NewReader(body)
	case bytes.HasPrefix(head, []byte{0xfd, '7', 'z', 'X', 'Z', 0}):
		return nil, badDefinitionf("%s is an xz archive, which xbake cannot unpack; use gzip or a git URL", defURL)
	default:
		if _, err := tar.NewReader(bytes.NewReader(head)).Next(); err == nil {
			r = body
		}
	}
	if r == nil {
		b, err := readCapped(body, maxRemoteDefinition)
		if err != nil {
			if _, ok := err.(*tooLargeError); ok {
				return nil, badDefinitionf("%s is not an archive and is larger than %s: it cannot be a bake definition", defURL, localfile.FormatSize(maxRemoteDefinition))
			}
			return nil, fmt.Errorf("fetching the definition from %s: %w", defURL, err)
		}
		return []xhcl.File{{Name: bake.RedactURL(defURL), Data: b}}, nil
	}
	found, err := extract(r, names)
	if err != nil {
		return nil, fmt.Errorf("unpacking the definition archive %s: %w", defURL, err)
	}
	var files []xhcl.File
	for _, n := range names {
		b, ok := found[path.Clean("/"+n)]
		if !ok {
			if explicit {
				return nil, badDefinitionf("reading %s from %s: the archive has no such file", n, defURL)
			}
			continue
		}
		files = append(files, xhcl.File{Name: n, Data: b})
	}
	return files, nil
}

// extract reads a tar stream and returns the regular files among names
// (by their cleaned absolute path; a later entry replaces an earlier one),
// each at most maxDefinitionFile bytes. The stream is bounded: at most
// maxArchiveSize bytes and maxArchiveEntries entries.
func extract(r io.Reader, names []string) (map[string][]byte, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[path.Clean("/"+n)] = true
	}
	counted := &countingReader{r: r, limit: maxArchiveSize}
	tr := tar.NewReader(counted)
	found := map[string][]byte{}
	tooLarge := badDefinitionf("it is larger than %s uncompressed, the limit for a definition archive; use a smaller archive or a git URL", localfile.FormatSize(maxArchiveSize))
	for entries := 0; ; entries++ {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return found, nil
		}
		if counted.over {
			return nil, tooLarge
		}
		if err != nil {
			return nil, err
		}
		if entries >= maxArchiveEntries {
			return nil, badDefinitionf("it has more than %d entries, the limit for a definition archive; use a smaller archive or a git URL", maxArchiveEntries)
		}
		name := path.Clean("/" + h.Name)
		if h.Typeflag != tar.TypeReg || !want[name] {
			continue
		}
		b, err := readCapped(tr, maxDefinitionFile)
		if counted.over {
			return nil, tooLarge
		}
		if _, ok := err.(*tooLargeError); ok {
			return nil, badDefinitionf("%s: %w", strings.TrimPrefix(name, "/"), err)
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", strings.TrimPrefix(name, "/"), err)
		}
		found[name] = b
	}
}

// countingReader fails once more than limit bytes were read from r.
type countingReader struct {
	r     io.Reader
	n     int64
	limit int64
	over  bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n >= c.limit {
		c.over = true
		return 0, errArchiveTooLarge
	}
	n, err := c.r.Read(p[:min(int64(len(p)), c.limit-c.n)])
	c.n += int64(n)
	return n, err
}

var errArchiveTooLarge = errors.New("archive too large")

// badDefinitionf is a badDefinition with a formatted message.
func badDefinitionf(format string, args ...any) error {
	return badDefinition{fmt.Errorf(format, args...)}
}
