package executor

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"strings"
	"sync/atomic"

	"github.com/containerd/containerd/v2/core/content"
	contentlocal "github.com/containerd/containerd/v2/plugins/content/local"
	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/client/llb"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/moby/buildkit/identity"
	"github.com/moby/buildkit/solver/pb"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/tonistiigi/fsutil"
	"golang.org/x/sync/errgroup"

	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/inputs"
)

// linkArtifact is a solve's result as its dependents receive it: the
// result's definition (a frontend input) and its image metadata, so that
// `FROM base` in a dependent sees the dependency's ENV and WORKDIR.
type linkArtifact struct {
	builder *Builder
	def     *pb.Definition
	meta    string // JSON for input-metadata:KEY
	config  []byte // the image config, for a copy to another node (transfer.go)
}

// BuilderKey holds, in a solve's exporter response (and so in the
// metadata file), the name of the BuildKit node that ran it.
const BuilderKey = "xbake.builder"

// solveArtifact is what a merge node needs of a finished solve.
type solveArtifact struct {
	exports []*export
}

// Solve implements Solver: one BuildKit build through the gateway, so
// that the result can feed dependents before it is exported. File outputs
// wait for Commit; those of a failed attempt are removed.
func (bk *BuildKit) Solve(ctx context.Context, req *SolveRequest) (*Result, error) {
	attempt := bk.files.begin(req.Node.ID)
	res, err := bk.solve(ctx, req, attempt)
	if err != nil {
		bk.files.drop(req.Node.ID, attempt)
	}
	return res, err
}

func (bk *BuildKit) solve(ctx context.Context, req *SolveRequest, attempt int) (*Result, error) {
	n := req.Node
	pr := bk.prep[n.ID]
	if pr == nil {
		return nil, fmt.Errorf("node %s was not prepared", n.ID)
	}
	b, err := bk.builderFor(req)
	if err != nil {
		return nil, err
	}
	for _, e := range pr.exports {
		if e.entry.Type == "moby" && b.Driver != builder.DriverDocker {
			return nil, fmt.Errorf("its image loads into the docker engine of builder node %s, which is lost or busy; a --load on a docker driver node cannot move to node %s", bk.home(n).Name, b.Name)
		}
	}
	ns, err := bk.sessionsOn(ctx, b)
	if err != nil {
		return nil, err
	}
	attrs := maps.Clone(pr.in.attrs)
	var mounts map[string]fsutil.FS
	if ns.own {
		if mounts, err = bk.sessions.mounts(pr.in.locals); err != nil {
			return nil, err
		}
	} else {
		for name, dir := range pr.in.locals {
			attrs["local-sessionid:"+name] = ns.id(name, dir)
		}
	}
	if err := bk.addProvenance(ctx, b, pr.provenance, attrs); err != nil {
		return nil, err
	}
	inputs.DropDisabledAttests(attrs)
	inputs := map[string]*pb.Definition{}
	for k, st := range pr.in.inputs {
		def, err := st.Marshal(ctx)
		if err != nil {
			return nil, err
		}
		inputs[k] = def.ToPB()
	}
	moved := map[string]string{} // OCI store ID -> layout of a link from another node
	for i, l := range n.Solve.Links {
		if l.Image != "" {
			// An earlier run published the dependency's result (plan.Link).
			attrs["context:"+l.Name] = "docker-image://" + l.Image
			continue
		}
		la, _ := req.Links[i].Artifact.(*linkArtifact)
		if la == nil {
			return nil, fmt.Errorf("context %s: %s gave no result", l.Name, l.Node)
		}
		key := "xbake-" + sanitize(l.Name)
		if la.builder != b {
			lay, err := bk.links.layout(ctx, la, l.Node)
			if err != nil {
				return nil, fmt.Errorf("context %s: %w", l.Name, err)
			}
			key = "xbake-link-" + sanitize(l.Name)
			moved[key] = lay.dir
			attrs["context:"+l.Name] = "oci-layout://" + key + "@" + lay.digest.String()
			continue
		}
		inputs[key] = la.def
		attrs["context:"+l.Name] = "input:" + key
		if la.meta != "" {
			attrs["input-metadata:"+key] = la.meta
		}
	}

	attach, err := bk.attachables(n)
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	so := client.SolveOpt{
		// The gateway request below carries the build; these attributes
		// tell the daemon what was asked for (the platform it verifies
		// the result against, the build record).
		FrontendAttrs:       maps.Clone(attrs),
		Session:             attach,
		LocalMounts:         mounts,
		CacheImports:        pr.cacheFrom,
		CacheExports:        pr.cacheTo,
		AllowedEntitlements: pr.in.entitlements,
		Ref:                 identity.NewID(),
	}
	if v := attrs["force-network-mode"]; v == "host" {
		so.AllowedEntitlements = append(so.AllowedEntitlements, "network.host")
	}
	if len(pr.in.ociLayouts)+len(moved) > 0 {
		so.OCIStores = map[string]content.Store{}
		for id, dir := range moved {
			st, err := contentlocal.NewStore(dir)
			if err != nil {
				return nil, fmt.Errorf("oci-layout %s: %w", dir, err)
			}
			so.OCIStores[id] = st
		}
		for id, dir := range pr.in.ociLayouts {
			st, err := contentlocal.NewStore(dir)
			if err != nil {
				return nil, fmt.Errorf("oci-layout %s: %w", dir, err)
			}
			so.OCIStores[id] = st
		}
	}
	// A panic in a callback fails the solve and cancels its build.
	bctx, cancelBuild := context.WithCancelCause(ctx)
	defer cancelBuild(nil)
	guard := &panicGuard{node: n.ID, cancel: cancelBuild}
	var loads errgroup.Group
	var loadPipes []*io.PipeWriter
	for _, e := range pr.exports {
		if e.shared {
			continue
		}
		entry := e.entry
		entry.Attrs = maps.Clone(entry.Attrs)
		switch {
		case e.load && entry.Type == "docker":
			pr, pw := io.Pipe()
			entry.Output = func(map[string]string) (io.WriteCloser, error) { return pw, nil }
			loads.Go(func() (err error) {
				if perr := guard.run(func() { err = bk.docker.Load(bctx, pr) }); perr != nil {
					err = perr
				}
				pr.CloseWithError(err)
				return err
			})
			loadPipes = append(loadPipes, pw)
		case e.part != "":
			entry.Output = bk.files.part(n.ID, attempt, e.file)
		case e.file != "":
			entry.Output = bk.files.create(n.ID, attempt, e.target, e.file)
		case e.dir != "":
			if err := os.MkdirAll(e.dir, 0o755); err != nil {
				return nil, err
			}
			entry.OutputDir = e.dir
		}
		so.Exports = append(so.Exports, entry)
	}

	ch := make(chan *client.SolveStatus)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for st := range ch {
			if req.Progress != nil {
				guard.run(func() { req.Progress(b.Name, st) })
			}
		}
	}()

	var callMeta atomic.Value // map[string][]byte
	var tested []TestResult
	var testErr error
	build := func(ctx context.Context, gw gateway.Client) (*gateway.Result, error) {
		res, err := gw.Solve(ctx, gateway.SolveRequest{
			Frontend:       "dockerfile.v0",
			FrontendOpt:    attrs,
			FrontendInputs: inputs,
			Evaluate:       true,
		})
		if err != nil {
			return nil, err
		}
		// The build has read its links: they may export now.
		if req.Evaluated != nil {
			req.Evaluated()
		}
		if isCall(n.Solve.Targets[0]) {
			// The report is in the result's metadata: keep it, as buildx
			// does, for the CLI to print.
			callMeta.Store(res.Metadata)
			return res, nil
		}
		// Smoke tests gate everything this solve writes (smoketest.go).
		if tested, testErr = runTests(ctx, gw, n, res, func(st *client.SolveStatus) {
			if req.Progress != nil {
				req.Progress(b.Name, st)
			}
		}); testErr != nil {
			return nil, testErr
		}
		select {
		case <-req.Release:
			return res, nil // nothing depends on this solve
		default:
		}
		la, err := newLinkArtifact(ctx, b, res)
		if err != nil {
			return nil, err
		}
		req.Ready(&Result{Artifact: la, Builder: b.Name})
		// Dependents build from this result in their own jobs on this
		// daemon; keep this job open until they have evaluated (buildx
		// keeps it until they end), then export.
		select {
		case <-req.Release:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		return res, nil
	}
	guarded := func(ctx context.Context, gw gateway.Client) (res *gateway.Result, err error) {
		if perr := guard.run(func() { res, err = build(ctx, gw) }); perr != nil {
			return nil, perr
		}
		return res, err
	}
	resp, err := b.Client.Build(bctx, so, "xbake", guarded, ch)
	<-drained
	// A build that failed before exporting never closed its load streams;
	// the engine would wait for the rest of the tarball forever.
	if err != nil {
		for _, pw := range loadPipes {
			pw.CloseWithError(err)
		}
	}
	lerr := loads.Wait()
	if perr := guard.err(); perr != nil {
		return nil, perr
	}
	if err != nil && testErr != nil {
		return nil, testErr // as the build function returned it, unwrapped
	}
	if err != nil {
		return nil, explainInsecure(explainAuth(err, so.Exports))
	}
	if lerr != nil {
		return nil, lerr
	}
	if m, ok := callMeta.Load().(map[string][]byte); ok {
		if resp.ExporterResponse == nil {
			resp.ExporterResponse = map[string]string{}
		}
		for _, k := range []string{"result.txt", "result.json", "result.statuscode"} {
			if v, ok := m[k]; ok {
				resp.ExporterResponse[k] = string(v)
			}
		}
	}
	if !isCall(n.Solve.Targets[0]) && resp != nil {
		if resp.ExporterResponse == nil {
			resp.ExporterResponse = map[string]string{}
		}
		// Only for the metadata file, once the build succeeded: a record
		// that cannot be read leaves the key out rather than fail the node.
		_ = recordProvenance(ctx, b, so.Ref, bk.opt.MetadataProvenance, resp.ExporterResponse)
	}
	r, err := bk.result(n.Solve.Platform, b, so.Ref, pr, resp)
	if r != nil {
		r.Tests = tested
	}
	return r, err
}

func newLinkArtifact(ctx context.Context, b *Builder, res *gateway.Result) (*linkArtifact, error) {
	ref, metaSuffix := res.Ref, ""
	if ref == nil && len(res.Refs) == 1 {
		for k, r := range res.Refs {
			ref, metaSuffix = r, "/"+k
		}
	}
	st := llb.Scratch()
	if ref != nil {
		s, err := ref.ToState()
		if err != nil {
			return nil, err
		}
		st = s
	}
	def, err := st.Marshal(ctx)
	if err != nil {
		return nil, err
	}
	meta := map[string][]byte{}
	for _, k := range []string{exptypes.ExporterImageConfigKey, "containerimage.buildinfo"} {
		if dt, ok := res.Metadata[k+metaSuffix]; ok {
			meta[k] = dt
		}
	}
	la := &linkArtifact{builder: b, def: def.ToPB(), config: meta[exptypes.ExporterImageConfigKey]}
	if len(meta) > 0 {
		dt, err := json.Marshal(meta)
		if err != nil {
			return nil, err
		}
		la.meta = string(dt)
	}
	return la, nil
}

// result turns BuildKit's response into a Result.
func (bk *BuildKit) result(p ocispec.Platform, b *Builder, ref string, pr *prepared, resp *client.SolveResponse) (*Result, error) {
	er := map[string]string{}
	if resp != nil && resp.ExporterResponse != nil {
		maps.Copy(er, resp.ExporterResponse)
	}
	if names, ok := er["image.name"]; ok && bk.opt.Records != nil {
		er["image.name"] = strings.Join(bk.opt.Records.withoutRecords(strings.Split(names, ",")), ",")
	}
	buildRef := "xbake/" + b.Name + "/" + ref
	er[BuildRefKey] = buildRef
	er[BuilderKey] = b.Name
	res := &Result{ExporterResponse: map[string]map[string]string{}, Builder: b.Name, Ref: buildRef,
		Artifact: &solveArtifact{exports: pr.exports}}
	for _, t := range pr.node.Solve.Targets {
		res.ExporterResponse[t.Name] = er
	}
	desc, err := responseDescriptor(er)
	if err != nil {
		return nil, err
	}
	if desc.Digest != "" {
		desc.Platform = &p
		res.Descriptor = desc
	}
	for _, e := range pr.exports {
		switch {
		case e.part != "", e.shared:
		case e.byDigest && desc.Digest != "":
			for _, r := range strings.Split(e.entry.Attrs["name"], ",") {
				res.Published = append(res.Published, r+"@"+desc.Digest.String())
			}
		case e.entry.Type == "image" && e.entry.Attrs["push"] == "true":
			res.Published = append(res.Published, bk.opt.Records.withoutRecords(strings.Split(e.entry.Attrs["name"], ","))...)
		case e.load:
			res.Published = append(res.Published, "docker:"+e.entry.Attrs["name"])
		case e.file != "":
			res.Published = append(res.Published, publishedAs(e.file))
		case e.dir != "":
			res.Published = append(res.Published, e.dir)
		}
	}
	return res, nil
}

// explainAuth adds the remedy to a push that a registry refused for lack
// of credentials: BuildKit's own message is a bare "401 Unauthorized".
func explainAuth(err error, exports []client.ExportEntry) error {
	msg := err.Error()
	if !strings.Contains(msg, "401 Unauthorized") && !strings.Contains(msg, "403 Forbidden") {
		return err
	}
	host := "REGISTRY"
	for _, e := range exports {
		if name := strings.Split(e.Attrs["name"], ",")[0]; strings.Contains(name, "/") {
			host = strings.SplitN(name, "/", 2)[0]
			break
		}
	}
	return fmt.Errorf("%w\nthe registry refused the push: run \"docker login %s\", or set DOCKER_CONFIG to a directory whose config.json has its credentials", err, host)
}
