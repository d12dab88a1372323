package executor

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/buildkit/client"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/executor/oci"
	"github.com/xbake/xbake/plan"
)

// prepareLoads opens the engine when a solve of n loads into it, and, when
// the plan merges multi-platform loads (plan.Plan.LoadIndex: the engine
// keeps multi-platform images), turns each platform's load into an OCI
// part of the one image its merge node loads, under the user's own tags.
// On a node of the docker driver, BuildKit is the engine's own: it stores
// the image itself (the "moby" exporter, as buildx does); its BuildKit
// has no docker exporter to stream one out.
func (bk *BuildKit) prepareLoads(ctx context.Context, n *plan.Node, exps []*export, loadIndex bool) error {
	for _, e := range exps {
		if !e.load {
			continue
		}
		t := targetNamed(n, e.target)
		merged := loadIndex && e.merge // the plan's decision, per target
		if b := bk.home(n); b.Driver == builder.DriverDocker && !merged {
			e.entry.Type = "moby"
			continue
		}
		if bk.docker == nil {
			// The engine the docker CLI would use (or opt.DockerHost),
			// through the docker client libraries (package builder).
			d, err := builder.OpenEngine(ctx, bk.opt.Getenv, bk.opt.DockerHost)
			if err != nil {
				return fmt.Errorf("%s: output type=docker without dest loads the image into a docker engine: %w\nOr add dest=<file.tar> to the output to write a tarball instead", n.ID, err)
			}
			bk.docker = d
		}
		if !merged {
			continue
		}
		attrs := maps.Clone(e.entry.Attrs)
		attrs["name"] = loadNames(t, e.out)
		e.entry = client.ExportEntry{Type: "oci", Attrs: attrs}
		e.load, e.part, e.loadInto = false, partOCI, bk.docker
		e.file = filepath.Join(bk.tmp, sanitize(n.ID)+"."+sanitize(e.target)+fmt.Sprint(e.out)+".load.tar")
	}
	return nil
}

func targetNamed(n *plan.Node, name string) *bake.Target {
	for _, t := range n.Solve.Targets {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// loadNames are the tags of a merged load: the output's name, else the
// target's tags, without the per-platform suffixes.
func loadNames(t *bake.Target, out int) string {
	if name := t.Outputs[out].Attrs["name"]; name != "" {
		return name
	}
	return strings.Join(t.Tags, ",")
}

// loadIndex assembles the parts of a merged load into one OCI archive with
// an index over every platform, and loads it: the engine's containerd
// image store keeps it under the user's tags, as buildx's --load does.
func (m *Merger) loadIndex(ctx context.Context, n *plan.Node, parts []*Result, per []*export, res *Result) error {
	lp := make([]oci.LayoutPart, len(parts))
	for k, e := range per {
		lp[k] = oci.LayoutPart{Platform: platformOf(n, k), Path: e.file}
	}
	file := strings.TrimSuffix(per[0].file, ".tar") + ".index.tar"
	defer os.Remove(file)
	desc, err := oci.MergeOCILayouts(file, true, lp)
	if err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := per[0].loadInto.Load(ctx, f); err != nil {
		return err
	}
	res.Descriptor = desc
	er := res.ExporterResponse[n.Merge.Target.Name]
	er["containerimage.digest"] = desc.Digest.String()
	er["containerimage.descriptor"] = encodeDescriptor(desc)
	for _, name := range strings.Split(per[0].entry.Attrs["name"], ",") {
		res.Published = append(res.Published, "docker:"+name)
	}
	return nil
}
