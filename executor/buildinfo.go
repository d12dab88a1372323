package executor

import (
	"context"
	"fmt"
	"maps"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/util/urlutil"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/inputs"
	"github.com/xbake/xbake/localfile"
	"github.com/xbake/xbake/plan"
)

// What buildx adds to every build request besides the target's own
// attributes (its build/opt.go and build/git.go), read from the same
// environment variables:
//
//   - provenance: `attest:provenance=mode=min,inline-only=true` unless the
//     target sets provenance itself (even to disabled), the daemon cannot
//     attest, or BUILDX_NO_DEFAULT_ATTESTATIONS is true. inline-only means
//     that only image outputs (registry, image, oci, docker) carry it;
//     local and tar outputs get no provenance file.
//   - VCS information of the git work tree holding the context:
//     vcs:source and vcs:revision (and vcs:localdir:NAME per local
//     directory) for the provenance, unless BUILDX_GIT_INFO is false;
//     with BUILDX_GIT_LABELS=true (or full) the labels
//     org.opencontainers.image.source, org.opencontainers.image.revision
//     and com.docker.image.source.entrypoint (the Dockerfile's path in the
//     repository). BUILDX_GIT_CHECK_DIRTY=true appends "-dirty" to the
//     revision of a work tree with changes. Git problems leave the
//     information out, as buildx does (it only warns).

// defaultProvenance is what buildx asks for when the target says nothing.
const defaultProvenance = "mode=min,inline-only=true"

// dockerfileLabel is buildx's label for the Dockerfile's path in the
// repository (build.DockerfileLabel).
const dockerfileLabel = "com.docker.image.source.entrypoint"

// buildInfo caches, for one run, what the builders are and what git
// says about each context directory.
type buildInfo struct {
	mu    sync.Mutex
	nodes map[*Builder]*nodeAnswer
	vcs   map[string]*vcsInfo
}

// nodeAnswer is what one node's Info call said, asked once: nil when
// the node has no Info call (BuildKit before v0.11).
type nodeAnswer struct {
	mu    sync.Mutex
	known bool
	info  *client.Info
}

// addBuildInfo adds the VCS attributes to the inputs of solve n, and
// says whether it asks for default provenance: the node decides that it
// can attest, and a solve may move to another node, so each attempt adds
// it (addProvenance) for the node it runs on.
func (bk *BuildKit) addBuildInfo(ctx context.Context, n *plan.Node, in *solveInputs) (provenance bool, err error) {
	t := n.Solve.Targets[0]
	if n.Solve.Role == plan.RoleDependency || isCall(t) {
		return false, nil // nothing is exported
	}
	getenv := bk.opt.Getenv
	if provenance, err = inputs.DefaultProvenance(&inputs.Request{Attrs: in.attrs}, getenv); err != nil {
		return false, err
	}

	labels := gitLabelsOn(getenv)
	info, _ := envBool(getenv, "BUILDX_GIT_INFO", true)
	dir, ok := in.locals["context"]
	if !ok || (!labels && !info) {
		return provenance, nil
	}
	dirty, _ := envBool(getenv, "BUILDX_GIT_CHECK_DIRTY", false)
	v := bk.info.vcsOf(ctx, dir, dirty)
	if v == nil {
		return provenance, nil
	}
	a := in.attrs
	if info && v.revision != "" {
		a["vcs:revision"] = v.revision
	}
	if info && v.source != "" {
		a["vcs:source"] = v.source
	}
	if labels {
		maps.Copy(a, gitLabels(v, in.attrs["filename"], in.locals, t.DockerfileInline != nil))
	}
	if info {
		for _, name := range slices.Sorted(maps.Keys(in.locals)) {
			if r, ok := relIn(v.root, in.locals[name]); ok {
				a["vcs:localdir:"+name] = r
			}
		}
	}
	return provenance, nil
}

// addProvenance adds buildx's default provenance to the attributes of an
// attempt of a solve that asks for it (addBuildInfo), when its node b can
// attest. A node that cannot answer fails the attempt: its error is the
// node's, retried or moved like a solve's, rather than a solve published
// without the provenance it asked for.
func (bk *BuildKit) addProvenance(ctx context.Context, b *Builder, provenance bool, attrs map[string]string) error {
	if !provenance {
		return nil
	}
	ok, err := bk.info.canAttest(ctx, b)
	if err != nil {
		return fmt.Errorf("asking builder node %s whether it attests: %w", b.Name, err)
	}
	if ok {
		attrs["attest:provenance"] = defaultProvenance
	}
	return nil
}

// gitLabelsOn says whether BUILDX_GIT_LABELS asks for the git labels.
func gitLabelsOn(getenv func(string) string) bool {
	labels, _ := envBool(getenv, "BUILDX_GIT_LABELS", false)
	return labels || getenv("BUILDX_GIT_LABELS") == "full" // buildx's older spelling
}

// gitLabels are the label attributes BUILDX_GIT_LABELS adds for work tree
// v: the revision, the source and the Dockerfile's path in the tree.
func gitLabels(v *vcsInfo, filename string, locals map[string]string, inline bool) map[string]string {
	a := map[string]string{}
	if v.revision != "" {
		a["label:"+ocispec.AnnotationRevision] = v.revision
	}
	if v.source != "" {
		a["label:"+ocispec.AnnotationSource] = v.source
	}
	if df, ok := locals["dockerfile"]; ok && !inline {
		if r, ok := relIn(v.root, filepath.Join(df, filename)); ok {
			a["label:"+dockerfileLabel] = r
		}
	}
	return a
}

// GitLabels are the label attributes a build of r gets from
// BUILDX_GIT_LABELS (nil when it is off or the context is in no git work
// tree), for the input digests: the executor adds them to every solve
// that exports, as buildx does.
func GitLabels(ctx context.Context, r *inputs.Request, getenv func(string) string) map[string]string {
	dir, ok := r.Locals[inputs.MountContext]
	if !ok || !gitLabelsOn(getenv) {
		return nil
	}
	dirty, _ := envBool(getenv, "BUILDX_GIT_CHECK_DIRTY", false)
	v := readVCS(ctx, dir, dirty)
	if v == nil {
		return nil
	}
	return gitLabels(v, r.Attrs["filename"], r.Locals, r.InlineDockerfile != nil)
}

// envBool reads a boolean variable; def when unset. A value that does not
// parse is an error, as buildx reports it.
func envBool(getenv func(string) string, key string, def bool) (bool, error) {
	v := getenv(key)
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return def, fmt.Errorf("invalid %s=%q: want true or false", key, v)
	}
	return b, nil
}

// canAttest reports whether b's daemon attaches attestations to images:
// BuildKit v0.11 and later, which is also when its Info call appeared
// (older daemons, and Docker's built-in BuildKit of Docker 20.10, answer
// it with an error).
func (bi *buildInfo) canAttest(ctx context.Context, b *Builder) (bool, error) {
	info, err := bi.nodeInfo(ctx, b)
	return info != nil, err
}

// nodeInfo is b's answer to Info, nil when it has none (see nodeAnswer).
// Each node is asked once, by the first attempt that needs it; only that
// node's attempts wait for the answer (a node that does not answer must
// not hold up the others). A connection that fails (transient) or an
// attempt canceled while asking (its node lost, the run ended) is no
// answer: the question stays open, and the error is returned.
func (bi *buildInfo) nodeInfo(ctx context.Context, b *Builder) (*client.Info, error) {
	bi.mu.Lock()
	if bi.nodes == nil {
		bi.nodes = map[*Builder]*nodeAnswer{}
	}
	a := bi.nodes[b]
	if a == nil {
		a = &nodeAnswer{}
		bi.nodes[b] = a
	}
	bi.mu.Unlock()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.known {
		return a.info, nil
	}
	info, err := b.Client.Info(ctx)
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	if err != nil && IsTransient(err) {
		return nil, err
	}
	a.known = true
	if err == nil {
		a.info = info
	}
	return a.info, nil
}

// vcsInfo is what git says about a directory's work tree.
type vcsInfo struct {
	root, revision, source string
}

// vcsOf runs git once per directory; nil when dir is not in a work tree
// or git is missing.
func (bi *buildInfo) vcsOf(ctx context.Context, dir string, checkDirty bool) *vcsInfo {
	bi.mu.Lock()
	defer bi.mu.Unlock()
	key := dir + "\x00" + strconv.FormatBool(checkDirty)
	if v, seen := bi.vcs[key]; seen {
		return v
	}
	v := readVCS(ctx, dir, checkDirty)
	if bi.vcs == nil {
		bi.vcs = map[string]*vcsInfo{}
	}
	bi.vcs[key] = v
	return v
}

func readVCS(ctx context.Context, dir string, checkDirty bool) *vcsInfo {
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", append([]string{"-c", "log.showSignature=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.Output()
		line, _, _ := strings.Cut(string(out), "\n")
		return strings.ReplaceAll(line, "'", ""), err
	}
	if out, err := git("rev-parse", "--is-inside-work-tree"); err != nil || out != "true" {
		return nil
	}
	root, err := git("rev-parse", "--show-toplevel")
	if err != nil || root == "" {
		return nil
	}
	v := &vcsInfo{root: root}
	if sha, err := git("show", "--format=%H", "HEAD", "--quiet", "--"); err == nil && sha != "" {
		if checkDirty {
			if st, err := git("status", "--porcelain", "--ignored"); err != nil || st != "" {
				sha += "-dirty"
			}
		}
		v.revision = sha
	}
	v.source = remoteURL(git)
	return v
}

// remoteURL is the remote of the current branch's upstream, else origin,
// else upstream, without credentials (buildx's gitutil.RemoteURL).
func remoteURL(git func(...string) (string, error)) string {
	var remotes []string
	if ref, err := git("symbolic-ref", "-q", "HEAD"); err == nil && ref != "" {
		if r, err := git("for-each-ref", "--format=%(upstream:remotename)", ref); err == nil && r != "" {
			remotes = append(remotes, r)
		}
	}
	for _, r := range append(remotes, "origin", "upstream") {
		if u, err := git("remote", "get-url", r); err == nil && u != "" {
			return urlutil.RedactCredentials(u)
		}
	}
	return ""
}

// relIn returns p (symlinks resolved, as fsutil sends it) relative to
// root when p is inside it.
func relIn(root, p string) (string, bool) {
	p = localfile.Resolve(p)
	if !within(p, root) {
		return "", false
	}
	r, err := filepath.Rel(root, p)
	return r, err == nil
}
