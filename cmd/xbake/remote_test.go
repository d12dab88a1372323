package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
)

// runCLI runs xbake in-process in dir and returns its exit code, stdout
// and stderr.
func runCLI(t *testing.T, dir string, env []string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{
		stdin:   strings.NewReader(""),
		stdout:  &stdout,
		stderr:  &stderr,
		getenv:  func(k string) string { v, _ := lookup(env, k); return v },
		environ: func() []string { return env },
		getwd:   func() (string, error) { return dir, nil },
	}
	code := run(a, args)
	return code, stdout.String(), stderr.String()
}

func lookup(env []string, k string) (string, bool) {
	for _, kv := range env {
		if name, v, ok := strings.Cut(kv, "="); ok && name == k {
			return v, true
		}
	}
	return "", false
}

const remoteBake = `target "default" {
  context  = "."
  contexts = { assets = "./assets", pinned = "cwd://local" }
  args     = { CMDCTX = BAKE_CMD_CONTEXT }
}
`

// TestRemoteGitDefinition reads the definition from a git repository served
// on loopback: contexts point into the repository, cwd:// stays local, and
// a second URL sets BAKE_CMD_CONTEXT.
func TestRemoteGitDefinition(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("git is not installed")
		}
		t.Skip("git is not installed")
	}
	root := t.TempDir()
	repo := filepath.Join(root, "defs.git")
	gitRun(t, "", "init", "--quiet", "--initial-branch=main", repo)
	if err := os.WriteFile(filepath.Join(repo, "docker-bake.hcl"), []byte(remoteBake), 0o644); err != nil {
		t.Fatal(err)
	}
	gitRun(t, repo, "add", ".")
	gitRun(t, repo, "-c", "user.email=t@example.test", "-c", "user.name=t", "commit", "--quiet", "-m", "bake")
	port := freePort(t)
	daemon := exec.Command("git", "daemon", "--export-all", "--reuseaddr", "--base-path="+root, "--listen=127.0.0.1", fmt.Sprintf("--port=%d", port), root)
	if err := daemon.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = daemon.Process.Kill(); _ = daemon.Wait() })
	waitPort(t, port)

	url := fmt.Sprintf("git://127.0.0.1:%d/defs.git", port)
	work := t.TempDir()
	code, out, errOut := runCLI(t, work, nil, url, "--print")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{
		`"context": "` + url + `"`,
		`"assets": "` + url + `#:assets"`,
		`"pinned": "cwd://local"`, // printed as written, as in buildx
		`"CMDCTX": "cwd://"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("--print lacks %s:\n%s", want, out)
		}
	}

	// A second URL is the command context; a branch fragment is kept.
	code, out, errOut = runCLI(t, work, nil, url+"#main", "https://example.test/ctx.git", "--print")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{`"context": "` + url + `#main"`, `"CMDCTX": "https://example.test/ctx.git"`} {
		if !strings.Contains(out, want) {
			t.Errorf("--print lacks %s:\n%s", want, out)
		}
	}

	// A missing repository is a failure that names it, exit code 1.
	code, _, errOut = runCLI(t, work, nil, fmt.Sprintf("git://127.0.0.1:%d/none.git", port), "--print")
	if code != 1 || !strings.Contains(errOut, "none.git") {
		t.Errorf("missing repository: exit %d, stderr %q", code, errOut)
	}
}

// TestRemoteHTTPDefinition reads a definition served over http, as a file
// and as a gzipped tarball of default file names.
func TestRemoteHTTPDefinition(t *testing.T) {
	var tgz bytes.Buffer
	gz := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(gz)
	body := []byte("target \"default\" {\n  tags = [\"from-archive\"]\n}\n")
	_ = tw.WriteHeader(&tar.Header{Name: "docker-bake.hcl", Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
	_, _ = tw.Write(body)
	_ = tw.Close()
	_ = gz.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/bake.hcl":
			fmt.Fprint(w, "target \"default\" {\n  tags = [\"from-file\"]\n}\n")
		case "/defs.tar.gz":
			_, _ = w.Write(tgz.Bytes())
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	work := t.TempDir()
	for path, want := range map[string]string{"/bake.hcl": "from-file", "/defs.tar.gz": "from-archive"} {
		code, out, errOut := runCLI(t, work, nil, srv.URL+path, "--print")
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("%s: exit %d, stdout %s, stderr %s", path, code, out, errOut)
		}
	}
	code, _, errOut := runCLI(t, work, nil, srv.URL+"/missing.hcl", "--print")
	if code != 1 || !strings.Contains(errOut, "404") {
		t.Errorf("missing definition: exit %d, stderr %q", code, errOut)
	}
}

func gitRun(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func waitPort(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nothing listens on 127.0.0.1:%d", port)
}

// TestRemoteURLPasswordRedacted: a password in a remote definition's URL
// appears in no message: not in xbake's own error prefix, not in the
// name of the definition in diagnostics.
func TestRemoteURLPasswordRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/bad.hcl" {
			fmt.Fprint(w, "target \"default\" {\n  tags = [\n}\n")
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	withPW := strings.Replace(srv.URL, "http://", "http://alice:S3cretPW@", 1)
	work := t.TempDir()
	for _, tc := range []struct {
		path string
		code int
		want string
	}{
		{"/missing.hcl", 1, "xbake: fetching the definition from http://xxxxx@"},
		{"/bad.hcl", 2, "http://xxxxx@" + strings.TrimPrefix(srv.URL, "http://") + "/bad.hcl:3:1: error:"},
	} {
		code, out, errOut := runCLI(t, work, nil, withPW+tc.path, "--print")
		if code != tc.code || strings.Contains(out+errOut, "S3cretPW") || !strings.Contains(errOut, tc.want) {
			t.Errorf("%s: exit %d, stderr:\n%s", tc.path, code, errOut)
		}
	}
}

// TestSecretValues: every secret file is redacted, also one over 64 KiB
// (such files were skipped), and so are the credentials of context URLs
// (BuildKit names a git context by its URL in progress).
func TestSecretValues(t *testing.T) {
	dir := t.TempDir()
	// A certificate bundle of 100 KiB: lines of 64 characters.
	var lines []string
	for i := range 1600 {
		lines = append(lines, fmt.Sprintf("%064d", i*7919))
	}
	big := strings.Join(lines, "\n") + "\nlast-line-of-the-secret\n"
	if err := os.WriteFile(filepath.Join(dir, "big.pem"), []byte(big), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := "http://alice:S3cretPW@example.test/defs.git"
	def := &bake.Definition{Targets: []*bake.Target{{
		Name:     "app",
		Context:  &ctx,
		Contexts: map[string]string{"assets": ctx + "#:assets"},
		Secrets:  []*bake.Secret{{ID: "pem", FilePath: "big.pem"}},
	}}}
	a := &app{getenv: func(string) string { return "" }}
	red := executor.NewRedactor(secretValues(a, def, dir))
	for in, want := range map[string]string{
		"#5 [internal] load git source " + ctx: "#5 [internal] load git source http://****@example.test/defs.git",
		"cat: last-line-of-the-secret":         "cat: ****",
		"key " + big[:64] + " in a build log":  "key **** in a build log",
	} {
		if got := red.String(in); got != want {
			t.Errorf("redacted %q\n got %q\nwant %q", in, got, want)
		}
	}
}

// TestRemoteArchiveBounded: a definition archive is read as a stream and
// only its definition files are kept, in memory; the stream is bounded
// in bytes and entries. (A 2.6 MB tar.gz of large files used to write
// 2.3 GB under the temporary directory, 64 MiB per file.)
func TestRemoteArchiveBounded(t *testing.T) {
	// The archives are made as they are served, so that the test holds no
	// large file either.
	serve := func(w io.Writer, write func(tw *tar.Writer)) {
		gz, _ := gzip.NewWriterLevel(w, gzip.BestSpeed)
		tw := tar.NewWriter(gz)
		write(tw)
		_ = tw.Close()
		_ = gz.Close()
	}
	def := []byte("target \"default\" {\n  tags = [\"from-archive\"]\n}\n")
	zeros := make([]byte, 1<<20)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		serve(w, func(tw *tar.Writer) {
			switch r.URL.Path {
			case "/big.tgz": // 5 files of 64 MiB, then the definition
				for i := range 5 {
					_ = tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("blob%d", i), Mode: 0o644, Size: 64 << 20, Typeflag: tar.TypeReg})
					for range 64 {
						if _, err := tw.Write(zeros); err != nil {
							return
						}
					}
				}
			case "/many.tgz":
				for i := range maxArchiveEntries + 1 {
					if tw.WriteHeader(&tar.Header{Name: fmt.Sprintf("d/%d", i), Mode: 0o644, Typeflag: tar.TypeReg}) != nil {
						return
					}
				}
			case "/ok.tgz": // a large unrelated file is skipped, not kept
				_ = tw.WriteHeader(&tar.Header{Name: "assets/blob", Mode: 0o644, Size: 32 << 20, Typeflag: tar.TypeReg})
				for range 32 {
					_, _ = tw.Write(zeros)
				}
			}
			_ = tw.WriteHeader(&tar.Header{Name: "./docker-bake.hcl", Mode: 0o644, Size: int64(len(def)), Typeflag: tar.TypeReg})
			_, _ = tw.Write(def)
		})
	}))
	t.Cleanup(srv.Close)
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	work := t.TempDir()
	for _, tc := range []struct {
		path, want string
		code       int
	}{
		// What the archive holds is the input's fault: exit code 2.
		{"/big.tgz", "it is larger than 256 MiB uncompressed, the limit for a definition archive", 2},
		{"/many.tgz", "it has more than 100000 entries, the limit for a definition archive", 2},
		{"/ok.tgz", "", 0},
	} {
		var code int
		var out, errOut string
		alloc := measureAlloc(func() { code, out, errOut = runCLI(t, work, nil, srv.URL+tc.path, "--print") })
		if code != tc.code || !strings.Contains(errOut, tc.want) || (tc.code == 0 && !strings.Contains(out, "from-archive")) {
			t.Errorf("%s: exit %d, stderr %s", tc.path, code, errOut)
		}
		if alloc > 64<<20 {
			t.Errorf("%s: allocated %d MiB", tc.path, alloc>>20)
		}
		if left, _ := os.ReadDir(tmp); len(left) > 0 {
			t.Errorf("%s: wrote %d files under the temporary directory", tc.path, len(left))
		}
	}
}

// measureAlloc returns the bytes f allocates (the test server's too).
func measureAlloc(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestRemoteComposeEnvFile: a remote Compose file reads a local env_file
// (whose values become build arguments) only with --allow fs.read.
func TestRemoteComposeEnvFile(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "secret.env")
	if err := os.WriteFile(secret, []byte("TOKEN=local-secret-value\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	compose := "services:\n  app:\n    build:\n      context: .\n      args:\n        - TOKEN\n    env_file: " + secret + "\n"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, compose)
	}))
	t.Cleanup(srv.Close)
	work := t.TempDir()
	code, out, errOut := runCLI(t, work, nil, srv.URL+"/compose.yaml", "--print")
	if code != 2 || strings.Contains(out+errOut, "local-secret-value") ||
		!strings.Contains(errOut, `error: Local file not allowed`) || !strings.Contains(errOut, "--allow fs.read="+secret) {
		t.Errorf("without --allow: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	code, out, errOut = runCLI(t, work, nil, srv.URL+"/compose.yaml", "--print", "--allow", "fs.read="+filepath.Dir(secret))
	if code != 0 || !strings.Contains(out, "local-secret-value") {
		t.Errorf("with --allow: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
}
