package dockerfile

import (
	"maps"
	"slices"
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
)

// Reader reads the Dockerfiles of a run's targets, each file once and
// each distinct content parsed once (the thousands of targets of a matrix
// usually share one file), and answers the planner's question about them
// (plan.Request.Dockerfiles). It is safe for concurrent use.
type Reader struct {
	readFile func(path string) ([]byte, error)

	mu        sync.Mutex
	byPath    map[string]*File // nil: unreadable or rejected
	byContent map[string]*File
	runs      map[runKey][]ocispec.Platform
}

type runKey struct {
	f   *File
	key string // File.cacheKey
}

// NewReader returns a Reader that reads a local Dockerfile with readFile,
// by the path bake.Target.DockerfilePath gives (relative to the working
// directory unless absolute).
func NewReader(readFile func(path string) ([]byte, error)) *Reader {
	return &Reader{readFile: readFile, byPath: map[string]*File{}, byContent: map[string]*File{},
		runs: map[runKey][]ocispec.Platform{}}
}

// File returns t's Dockerfile, parsed, or nil when it has none here: one
// in a remote context, a file that cannot be read, or one the build would
// reject (the build reports why).
func (r *Reader) File(t *bake.Target) *File {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.file(t)
}

func (r *Reader) file(t *bake.Target) *File {
	if t.DockerfileInline != nil {
		return r.parse(*t.DockerfileInline)
	}
	p, local := t.DockerfilePath()
	if !local {
		return nil
	}
	f, ok := r.byPath[p]
	if !ok {
		if data, err := r.readFile(p); err == nil {
			f = r.parse(string(data))
		}
		r.byPath[p] = f
	}
	return f
}

func (r *Reader) parse(data string) *File {
	f, ok := r.byContent[data]
	if !ok {
		f, _ = Parse([]byte(data))
		r.byContent[data] = f
	}
	return f
}

// BuildOf is the build of t for platform on a builder whose platform is
// build, as the executor asks BuildKit for it: t's target stage, its build
// arguments that have a value, and the names of its named contexts.
func BuildOf(t *bake.Target, platform, build ocispec.Platform) Build {
	b := Build{Platform: platform, BuildPlatform: build, Args: make(map[string]string, len(t.Args))}
	if t.Target != nil {
		b.Target = *t.Target
	}
	for k, v := range t.Args {
		if v != nil {
			b.Args[k] = *v
		}
	}
	b.Contexts = slices.Sorted(maps.Keys(t.Contexts))
	return b
}

// RunPlatforms implements plan.RunPlatforms: the platforms that the RUN
// steps of the stages t needs run on, when built for platform on a
// builder of platform build. Builds that need the same stages (the same
// target stage, named contexts, platforms and global build arguments) are
// answered once.
func (r *Reader) RunPlatforms(t *bake.Target, platform, build ocispec.Platform) ([]ocispec.Platform, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.file(t)
	if f == nil {
		return nil, false
	}
	b := BuildOf(t, platform, build)
	k := runKey{f, f.cacheKey(b)}
	if plats, ok := r.runs[k]; ok {
		return plats, plats != nil
	}
	stages, err := f.Stages(b)
	var plats []ocispec.Platform
	if err == nil {
		plats = []ocispec.Platform{} // known, and maybe no RUN at all
		for _, s := range stages {
			if len(s.Runs) > 0 {
				plats = append(plats, s.Platform)
			}
		}
	}
	r.runs[k] = plats
	return plats, plats != nil
}
