package dockerfile

import (
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/inputs"
)

// Reader reads the Dockerfiles of a run's targets, each file once and
// each distinct content parsed once (the thousands of targets of a matrix
// usually share one file), and the stages of each distinct build worked
// out once; the CLI hands what it finds to the planner
// (plan.Request.Dockerfiles). It is safe for concurrent use.
type Reader struct {
	readFile func(path string) ([]byte, error)

	mu        sync.Mutex
	byPath    map[string]readPath
	byContent map[string]*File
	stages    map[runKey][]Stage // nil: the build would be rejected
}

// readPath is what a Dockerfile path gave.
type readPath struct {
	f    *File  // nil: unreadable or rejected
	path string // the file read (inputs.DockerfileNames)
}

type runKey struct {
	f   *File
	key string // File.cacheKey
}

// NewReader returns a Reader that reads a local Dockerfile with readFile,
// by the path bake.Target.DockerfilePath gives (relative to the working
// directory unless absolute).
func NewReader(readFile func(path string) ([]byte, error)) *Reader {
	return &Reader{readFile: readFile, byPath: map[string]readPath{}, byContent: map[string]*File{},
		stages: map[runKey][]Stage{}}
}

// Path returns the path of t's Dockerfile as it was read: the one
// bake.Target.DockerfilePath gives, or the lower-case "dockerfile" the
// frontend falls back to (inputs.DockerfileNames); "" when t has none
// here (inline, in a remote context, or unreadable).
func (r *Reader) Path(t *bake.Target) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, p := r.file(t)
	return p
}

// file returns t's Dockerfile, parsed, and its path, or nil when it has
// none here: one in a remote context, a file that cannot be read, or one
// the build would reject (the build reports why).
func (r *Reader) file(t *bake.Target) (*File, string) {
	if t.DockerfileInline != nil {
		return r.parse(*t.DockerfileInline), ""
	}
	p, local := t.DockerfilePath()
	if !local {
		return nil, ""
	}
	rf, ok := r.byPath[p]
	if !ok {
		for _, name := range inputs.DockerfileNames(p) {
			data, err := r.readFile(name)
			if err == nil {
				rf = readPath{r.parse(string(data)), name}
				break
			}
			if !errors.Is(err, fs.ErrNotExist) {
				break
			}
		}
		r.byPath[p] = rf
	}
	return rf.f, rf.path
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

// Stages returns the stages that building t for platform on a builder
// of platform build needs (File.Stages), or false when t has no
// Dockerfile here or the build would reject it. Builds that need the same
// stages (the same target stage, named contexts, platforms and global
// build arguments) are answered once; the result is shared, not to be
// changed.
func (r *Reader) Stages(t *bake.Target, platform, build ocispec.Platform) ([]Stage, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	f, _ := r.file(t)
	if f == nil {
		return nil, false
	}
	b := BuildOf(t, platform, build)
	k := runKey{f, f.cacheKey(b)}
	if st, ok := r.stages[k]; ok {
		return st, st != nil
	}
	st, err := f.Stages(b)
	if err == nil && st == nil {
		st = []Stage{}
	}
	r.stages[k] = st
	return st, st != nil
}

// Image is an image a build pulls from a registry, and what for.
type Image struct {
	Ref      string           // build arguments expanded
	Platform ocispec.Platform // the platform it is pulled for
	Stage    Stage            // the stage that pulls it
	// Line is the stage's FROM, or the COPY --from or RUN --mount=from
	// that reads the image (Source).
	Line   int
	Source bool
	// Context is the named context (docker-image://REF) it comes
	// through, or "".
	Context string
}

// DockerImageScheme is the named-context form that names an image.
const DockerImageScheme = "docker-image://"

// Images returns the images that stages, a build of t, pull: the FROM
// image of each stage, the images its COPY --from and RUN --mount=from
// read (Stage.Sources), and the image of a docker-image:// named context
// that a stage starts from, replaces a stage or is read that way. Stages
// on another stage, on scratch or on a context of another kind (target:,
// a folder, oci-layout://) pull nothing.
func Images(t *bake.Target, stages []Stage) []Image {
	var out []Image
	add := func(name string, im Image) {
		if !hasContext(slices.Collect(maps.Keys(t.Contexts)), name) {
			im.Ref = name
			out = append(out, im)
		} else if ref, ok := strings.CutPrefix(contextValue(t, name), DockerImageScheme); ok {
			im.Ref, im.Context = ref, name
			out = append(out, im)
		}
	}
	for _, s := range stages {
		switch {
		case s.Replaced:
			add(s.Name, Image{Platform: s.Platform, Stage: s, Line: s.Line})
			continue
		case s.FromStage >= 0 || s.From == "" || s.From == "scratch":
		default:
			add(s.From, Image{Platform: s.Platform, Stage: s, Line: s.Line})
		}
		for _, src := range s.Sources {
			add(src.Name, Image{Platform: src.Platform, Stage: s, Line: src.Line, Source: true})
		}
	}
	return out
}

// contextValue is the value of t's named context name, whose key may be
// spelled in another case (BuildKit matches names so).
func contextValue(t *bake.Target, name string) string {
	for _, k := range slices.Sorted(maps.Keys(t.Contexts)) {
		if strings.EqualFold(k, name) {
			return t.Contexts[k]
		}
	}
	return ""
}
