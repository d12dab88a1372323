package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/session"
	"github.com/moby/buildkit/session/auth/authprovider"
	"github.com/moby/buildkit/session/secrets/secretsprovider"
	"github.com/moby/buildkit/session/sshforward/sshprovider"

	"github.com/docker/cli/cli/config"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/plan"
)

// BuildKitOptions configure the BuildKit solver.
type BuildKitOptions struct {
	// WorkDir resolves relative paths (contexts, outputs, secrets).
	WorkDir string
	// DockerConfig is the folder of config.json with registry
	// credentials, handed to BuildKit for pulls and pushes ("" means
	// $DOCKER_CONFIG or ~/.docker).
	DockerConfig string
	// DockerHost names the engine that `--load` (type=docker without dest)
	// loads into: a docker context or an engine address; "" chooses as
	// the docker CLI does, from Getenv (DOCKER_HOST, DOCKER_CONTEXT, the
	// current context).
	DockerHost string
	// Getenv reads the environment (default os.Getenv): secret values of
	// `env` sources, the docker environment of --load, ACTIONS_* for gha
	// caches, BUILDX_* switches.
	Getenv func(string) string
	// Stdout receives the output whose dest is "-" (a tarball); nil
	// refuses such outputs.
	Stdout io.Writer
	// MetadataProvenance is how much of each build's provenance the
	// metadata file gets ("" or disabled: none, not even fetched).
	MetadataProvenance MetadataProvenance
	// Records are what pushes record of their inputs (nil: nothing).
	Records *Records
}

// BuildKit is the Solver that runs solve nodes on BuildKit daemons.
type BuildKit struct {
	opt      BuildKitOptions
	builders *Builders
	prep     map[string]*prepared
	order    []*prepared // plan order
	sessions *sharedSessions
	files    *fileOutputs
	tmp      string
	docker   *builder.Engine // the engine of --load, opened while preparing
	// credentials are the registry credentials of every solve's session
	// (loadCredentials).
	credentials authprovider.AuthConfigProvider
	info        buildInfo

	cancel context.CancelFunc
	sctx   context.Context // the sessions' (the run's, less its cancel)
	wg     sync.WaitGroup
	links  *linkTransfers
	// interrupted is the run's context's Done: once the run is canceled,
	// Close does not wait for the daemons' goodbye.
	interrupted <-chan struct{}
}

var _ Solver = (*BuildKit)(nil)

// prepared is everything of a solve that does not depend on its links.
type prepared struct {
	in        *solveInputs
	exports   []*export
	cacheFrom []client.CacheOptionsEntry
	cacheTo   []client.CacheOptionsEntry
	node      *plan.Node
	// provenance: the solve asks for buildx's default provenance on a
	// node that can attest (see addBuildInfo; each attempt's node decides).
	provenance bool
}

// NewBuildKit prepares the inputs of p's solves and opens one shared
// session per local directory on each solve's home node (on other nodes
// when a solve first runs there). A plan made without the builders'
// nodes, or placed on other nodes, is placed on them here. Nothing is
// built yet; errors here (a bad output, no docker engine for --load)
// mean nothing will be. Close releases the sessions and temporary files.
func NewBuildKit(ctx context.Context, bs *Builders, p *plan.Plan, opt BuildKitOptions) (*BuildKit, error) {
	if opt.WorkDir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		opt.WorkDir = wd
	}
	if opt.Getenv == nil {
		opt.Getenv = os.Getenv
	}
	if err := CheckStdout(p, opt.Stdout != nil); err != nil {
		return nil, err
	}
	if len(bs.Nodes) == 0 {
		return nil, fmt.Errorf("no builders")
	}
	if !bs.placed(p) {
		p.Place(bs.PlanNodes())
	}
	tmp, err := os.MkdirTemp("", "xbake-")
	if err != nil {
		return nil, err
	}
	bk := &BuildKit{opt: opt, builders: bs, prep: map[string]*prepared{}, sessions: newSharedSessions(), tmp: tmp,
		files:       &fileOutputs{stdout: opt.Stdout},
		interrupted: ctx.Done(), links: newLinkTransfers(tmp)}
	bk.sctx, bk.cancel = context.WithCancel(context.WithoutCancel(ctx))
	if bk.credentials, err = loadCredentials(opt.DockerConfig); err != nil {
		bk.Close()
		return nil, err
	}
	if err := bk.prepare(ctx, p); err != nil {
		bk.Close()
		return nil, err
	}
	for _, pr := range bk.order {
		if _, err := bk.sessionsOn(ctx, bk.home(pr.node)); err != nil {
			bk.Close()
			return nil, err
		}
	}
	return bk, nil
}

// home is the node a solve is placed on: its home in the plan, else the
// first node.
func (bk *BuildKit) home(n *plan.Node) *Builder {
	if b := bk.builders.byName(n.Builder); b != nil {
		return b
	}
	return bk.builders.Nodes[0]
}

// builderFor is the node of a solve attempt: the scheduler's choice
// (req.Builder), else the solve's home.
func (bk *BuildKit) builderFor(req *SolveRequest) (*Builder, error) {
	if req.Builder == "" {
		return bk.home(req.Node), nil
	}
	if b := bk.builders.byName(req.Builder); b != nil {
		return b, nil
	}
	return nil, fmt.Errorf("no builder node %s", req.Builder)
}

// sessionsOn opens, once per node, the shared sessions of every solve's
// local directories on b (or none, when its BuildKit reads them only
// from each solve's own session), and returns them.
func (bk *BuildKit) sessionsOn(ctx context.Context, b *Builder) (*nodeSessions, error) {
	info, err := bk.info.nodeInfo(ctx, b)
	if err != nil {
		return nil, fmt.Errorf("asking builder node %s for its version: %w", b.Name, err)
	}
	return bk.sessions.on(bk.sctx, b, info, bk.order, &bk.wg)
}

func (bk *BuildKit) prepare(ctx context.Context, p *plan.Plan) error {
	for _, n := range p.Nodes {
		if n.Kind != plan.KindSolve || n.Solve.Unchanged {
			continue // an unchanged solve does not run
		}
		in, err := frontendAttrs(n, bk.opt.WorkDir)
		if err != nil {
			return fmt.Errorf("%s: %w", n.ID, err)
		}
		exps, err := exportsFor(n, bk.tmp)
		if err != nil {
			return fmt.Errorf("%s: %w", n.ID, err)
		}
		exps = bk.opt.Records.annotate(n, orderExports(exps))
		for _, e := range exps {
			e.file, e.dir = bk.abs(e.file), bk.abs(e.dir)
		}
		if err := bk.prepareLoads(ctx, n, exps, p.LoadIndex); err != nil {
			return err
		}
		t := n.Solve.Targets[0]
		// The targets of a solve share their cache entries; when one of
		// them has other platforms, its other solves use the same refs.
		perPlatform := false
		for i := range n.Solve.Targets {
			perPlatform = perPlatform || n.Solve.PerPlatform(i)
		}
		pr := &prepared{node: n, in: in, exports: exps,
			cacheFrom: cacheImports(t, n.Solve.Platform, perPlatform, bk.opt.WorkDir, bk.opt.Getenv),
			cacheTo:   cacheExports(t, n.Solve.Platform, perPlatform, bk.opt.WorkDir, bk.opt.Getenv)}
		if n.Solve.Role == plan.RoleDependency {
			pr.cacheTo = nil
		}
		if pr.provenance, err = bk.addBuildInfo(ctx, n, in); err != nil {
			return fmt.Errorf("%s: %w", n.ID, err)
		}
		bk.prep[n.ID] = pr
		bk.order = append(bk.order, pr)
	}
	return nil
}

func (bk *BuildKit) abs(p string) string {
	if p == "" || p == stdoutDest {
		return p
	}
	return absPath(bk.opt.WorkDir, p)
}

// Transfers reports, per local directory, what BuildKit read of it during
// the run (all builders together).
func (bk *BuildKit) Transfers() map[string]*TransferStats { return bk.sessions.stats }

// Commit moves the file outputs (type=docker, oci and tar with a dest) of
// every target whose nodes in rep all succeeded into place, together, and
// drops those of the other targets, taking them off rep's Published
// lists. Call it once the run is over; without it Close drops them all.
func (bk *BuildKit) Commit(rep *Report) error { return bk.files.commit(rep) }

// TempDir is the run's private folder (per-platform parts of merged
// outputs); the merge publisher reads from it.
func (bk *BuildKit) TempDir() string { return bk.tmp }

// closeGrace is how long Close lets the daemons acknowledge the end of
// the shared sessions before it cuts them (at once after an interrupt); a
// daemon that answers does so in milliseconds.
const closeGrace = 2 * time.Second

// Close ends the shared sessions and removes temporary files. It never
// waits on a daemon for more than a few seconds: a daemon that stopped
// answering (hung, unreachable) must not keep an interrupted run alive.
func (bk *BuildKit) Close() error {
	var err error
	if bk.cancel != nil {
		// A session's close waits for the daemon's goodbye; canceling its
		// context ends that wait, and the sessions' goroutines.
		closed := make(chan struct{})
		go func() {
			bk.sessions.close()
			close(closed)
		}()
		stopped := make(chan struct{})
		go func() {
			<-closed
			bk.wg.Wait()
			close(stopped)
		}()
		grace := time.NewTimer(closeGrace)
		defer grace.Stop()
		select {
		case <-closed:
		case <-grace.C:
		case <-bk.interrupted:
		}
		bk.cancel()
		select {
		case <-stopped:
		case <-time.After(closeGrace):
			err = fmt.Errorf("the sessions with the builders did not end %s after they were canceled", closeGrace)
		}
	}
	bk.files.cleanup()
	if bk.docker != nil {
		err = errors.Join(err, bk.docker.Close())
	}
	return errors.Join(err, os.RemoveAll(bk.tmp))
}

// loadCredentials reads the docker config file once for the run (dir, or
// $DOCKER_CONFIG or ~/.docker): every solve's session shares the provider
// and its cache, so that a credential helper runs once per registry, not
// once per solve. The executor never prints: config warnings are dropped.
func loadCredentials(dir string) (authprovider.AuthConfigProvider, error) {
	if dir == "" {
		return authprovider.LoadAuthConfig(config.LoadDefaultConfigFile(io.Discard)), nil
	}
	cfg, err := config.Load(dir)
	if err != nil {
		return nil, fmt.Errorf("registry credentials: %w", err)
	}
	return authprovider.LoadAuthConfig(cfg), nil
}

// attachables are the per-solve session services: registry credentials,
// secrets and ssh agents of the solve's first target.
func (bk *BuildKit) attachables(n *plan.Node) ([]session.Attachable, error) {
	t := n.Solve.Targets[0]
	out := []session.Attachable{authprovider.NewDockerAuthProvider(authprovider.DockerAuthProviderConfig{
		AuthConfigProvider: bk.credentials,
	})}
	if len(t.Secrets) > 0 {
		store := &secretStore{getenv: bk.opt.Getenv, m: map[string]bake.Secret{}}
		for _, s := range t.Secrets {
			src := *s
			if src.FilePath != "" {
				src.FilePath = bk.abs(src.FilePath)
			}
			if src.FilePath == "" && src.Env == "" {
				src.Env = s.ID
			}
			store.m[s.ID] = src
		}
		out = append(out, secretsprovider.NewSecretProvider(store))
	}
	if len(t.SSH) > 0 {
		var cfgs []sshprovider.AgentConfig
		for _, s := range t.SSH {
			c := sshprovider.AgentConfig{ID: s.ID}
			for _, p := range s.Paths {
				c.Paths = append(c.Paths, bk.abs(p))
			}
			cfgs = append(cfgs, c)
		}
		a, err := sshprovider.NewSSHAgentProvider(cfgs)
		if err != nil {
			return nil, fmt.Errorf("ssh: %w", err)
		}
		out = append(out, a)
	}
	return out, nil
}
