package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	"github.com/opencontainers/go-digest"
)

// Links across nodes. BuildKit hands a build's result to another build
// only within one daemon (a frontend input). When a dependent runs on
// another node than its dependency (each platform on its own native
// node, or a single-platform dependency serving every platform of its
// dependent), the dependency's result goes through this machine as an
// OCI layout: its node exports the linked result (the same definition,
// solved again in its cache while the dependency's build is held open,
// with its image config) into a layout in the run's folder, once per
// dependency, and the dependent's node reads it as an oci-layout://
// named context from the solve's session (SolveOpt.OCIStores). A layout
// rather than a registry: a run needs no registry it would otherwise not
// use, pushes nothing a user did not ask for, and works with every
// output; the cost is the image's layers passing through the client
// once, which is also what a registry round trip costs.

// linkTransfers are the layouts of the run, one per linked result.
type linkTransfers struct {
	dir string
	// export writes a result into a folder as a layout (exportLink).
	export func(ctx context.Context, la *linkArtifact, dir string) (digest.Digest, error)
	mu     sync.Mutex
	m      map[*linkArtifact]*linkLayout
	count  int // layouts begun: each has a folder of its own
}

// linkLayout is one exported result: dir holds the layout, digest its
// manifest. Ready is closed once it is written or failed; canceled says
// that it failed because the context of the export ended.
type linkLayout struct {
	ready    chan struct{}
	dir      string
	digest   digest.Digest
	err      error
	canceled bool
}

func newLinkTransfers(tmp string) *linkTransfers {
	return &linkTransfers{dir: filepath.Join(tmp, "links"), export: exportLink, m: map[*linkArtifact]*linkLayout{}}
}

// layout returns la's result as an OCI layout, exporting it from its
// node the first time; later callers wait for the first. An export whose
// own caller was canceled (its node lost, say) is no answer for the
// others: the next caller exports again.
func (lt *linkTransfers) layout(ctx context.Context, la *linkArtifact, name string) (*linkLayout, error) {
	for {
		lt.mu.Lock()
		l := lt.m[la]
		first := l == nil
		if first {
			lt.count++
			l = &linkLayout{ready: make(chan struct{}), dir: filepath.Join(lt.dir, fmt.Sprintf("%s-%d", sanitize(name), lt.count))}
			lt.m[la] = l
		}
		lt.mu.Unlock()
		if first {
			l.digest, l.err = lt.export(ctx, la, l.dir)
			if l.err != nil {
				l.canceled = ctx.Err() != nil
				lt.mu.Lock()
				delete(lt.m, la) // a later caller tries again
				lt.mu.Unlock()
			}
			close(l.ready)
		}
		select {
		case <-l.ready:
		case <-ctx.Done():
			return nil, context.Cause(ctx)
		}
		if l.canceled && !first {
			continue
		}
		if l.err != nil {
			return nil, l.err
		}
		return l, nil
	}
}

// exportLink writes la's result into dir as an OCI layout, from its node.
func exportLink(ctx context.Context, la *linkArtifact, dir string) (digest.Digest, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	so := client.SolveOpt{Exports: []client.ExportEntry{{
		Type: client.ExporterOCI, OutputDir: dir,
		Attrs: map[string]string{"tar": "false", "name": "xbake-link"},
	}}}
	ch := make(chan *client.SolveStatus)
	go func() {
		for range ch {
		}
	}()
	resp, err := la.builder.Client.Build(ctx, so, "xbake", func(ctx context.Context, gw gateway.Client) (*gateway.Result, error) {
		res, err := gw.Solve(ctx, gateway.SolveRequest{Definition: la.def, Evaluate: true})
		if err != nil {
			return nil, err
		}
		if la.config != nil {
			res.AddMeta(exptypes.ExporterImageConfigKey, la.config)
		}
		return res, nil
	}, ch)
	if err != nil {
		return "", fmt.Errorf("moving the result from builder node %s: %w", la.builder.Name, err)
	}
	d, err := digest.Parse(resp.ExporterResponse[exptypes.ExporterImageDigestKey])
	if err != nil {
		return "", fmt.Errorf("moving the result from builder node %s: no digest (%v)", la.builder.Name, err)
	}
	return d, nil
}
