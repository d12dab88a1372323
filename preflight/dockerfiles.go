package preflight

import (
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/dockerfile"
	"github.com/xbake/xbake/plan"
)

// Dockerfiles answers the planner's question about a build
// (plan.Request.Dockerfiles) from a dockerfile.Reader: the images the
// stages it needs pull, for which platform, and their RUN steps with the
// advice for a known toolchain. Package dockerfile cannot give plan's
// types itself: it does not import plan.
type Dockerfiles struct {
	Reader *dockerfile.Reader
}

var _ plan.Dockerfiles = Dockerfiles{}

// Build implements plan.Dockerfiles.
func (d Dockerfiles) Build(t *bake.Target, platform, build ocispec.Platform) (*plan.DockerfileBuild, bool) {
	stages, ok := d.Reader.Stages(t, platform, build)
	if !ok {
		return nil, false
	}
	db := &plan.DockerfileBuild{}
	if p, local := t.DockerfilePath(); local {
		db.File = p
	}
	for _, im := range dockerfile.Images(t, stages) {
		db.Images = append(db.Images, plan.BaseImage{Ref: im.Ref, Platform: im.Platform, Line: im.Stage.Line,
			Stage: im.Stage.Name, FilesOnly: im.Stage.FilesOnly, Context: im.Context})
	}
	for _, s := range stages {
		for _, r := range s.Runs {
			db.Runs = append(db.Runs, plan.RunStep{Platform: s.Platform, Line: r.Line, Stage: s.Name, Command: r.Command,
				Step: r.Step, Toolchain: r.Toolchain, Advice: dockerfile.ToolchainAdvice(r.Toolchain)})
		}
	}
	return db, true
}
