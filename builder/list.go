package builder

import (
	"github.com/docker/cli/cli/context/store"
)

// Listed is one builder of List: the builder, or why its store file
// cannot be used.
type Listed struct {
	Name    string
	Builder *Builder
	Err     error
}

// List returns the builders there are, as `docker buildx ls` shows them:
// buildx's (by name), then every docker context as a docker-driver
// builder (the engine's own BuildKit), "default" first.
func List(getenv func(string) string, workDir string) []Listed {
	e := env{getenv}
	s := OpenStore(getenv)
	var out []Listed
	names, err := s.Names()
	if err != nil {
		out = append(out, Listed{Name: s.Dir, Err: configErrorf("builder store: %v", err)})
	}
	taken := map[string]bool{}
	for _, name := range names {
		b, err := s.Load(name)
		if err == nil {
			err = b.prepare(e, workDir)
		}
		out = append(out, Listed{Name: name, Builder: b, Err: err})
		taken[name] = true
	}
	ctxs, _ := store.Names(e.contextStore())
	for _, name := range append([]string{"default"}, ctxs...) {
		if taken[name] {
			continue // a stored builder of the same name wins, as in buildx
		}
		b := &Builder{Name: name, Driver: DriverDocker,
			Nodes: []*Node{{Builder: name, Name: name, Driver: DriverDocker, Endpoint: name}}}
		out = append(out, Listed{Name: name, Builder: b, Err: b.prepare(e, workDir)})
	}
	return out
}
