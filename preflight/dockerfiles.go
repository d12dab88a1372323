package preflight

import (
	"maps"
	"slices"
	"strings"
	"sync"

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
//
// Builds with the same stages, Dockerfile path and named contexts get
// the same answer, made once: the thousands of solves of a matrix share
// it (plan.Solve.Images). It is safe for concurrent use.
type Dockerfiles struct {
	reader *dockerfile.Reader
	mu     sync.Mutex
	built  map[buildKey]*plan.DockerfileBuild
}

// buildKey names an answer: the stages (shared by the Reader for equal
// builds), the Dockerfile's path, and the named contexts.
type buildKey struct {
	stages   *dockerfile.Stage
	file     string
	contexts string
}

// NewDockerfiles answers from r.
func NewDockerfiles(r *dockerfile.Reader) *Dockerfiles {
	return &Dockerfiles{reader: r, built: map[buildKey]*plan.DockerfileBuild{}}
}

var _ plan.Dockerfiles = (*Dockerfiles)(nil)

// Build implements plan.Dockerfiles. The answer is shared: not to be
// changed.
func (d *Dockerfiles) Build(t *bake.Target, platform, build ocispec.Platform) (*plan.DockerfileBuild, bool) {
	stages, ok := d.reader.Stages(t, platform, build)
	if !ok {
		return nil, false
	}
	k := buildKey{contexts: contextsKey(t), file: d.reader.Path(t)}
	if len(stages) > 0 {
		k.stages = &stages[0]
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if db, ok := d.built[k]; ok {
		return db, true
	}
	db := &plan.DockerfileBuild{File: k.file}
	for _, im := range dockerfile.Images(t, stages) {
		db.Images = append(db.Images, plan.BaseImage{Ref: im.Ref, Platform: im.Platform, Line: im.Line,
			Stage: im.Stage.Name, FilesOnly: im.Stage.FilesOnly && !im.Source, Source: im.Source, Context: im.Context})
	}
	for _, s := range stages {
		for _, r := range s.Runs {
			db.Runs = append(db.Runs, plan.RunStep{Platform: s.Platform, Line: r.Line, Stage: s.Name, Command: r.Command,
				Step: r.Step, Toolchain: r.Toolchain, Advice: dockerfile.ToolchainAdvice(r.Toolchain)})
		}
	}
	d.built[k] = db
	return db, true
}

// contextsKey spells t's named contexts, which decide the images of
// stages that start from one.
func contextsKey(t *bake.Target) string {
	if len(t.Contexts) == 0 {
		return ""
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(t.Contexts)) {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(t.Contexts[k])
		b.WriteByte(0)
	}
	return b.String()
}
