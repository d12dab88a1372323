package executor

import (
	"context"
	"io"

	"github.com/xbake/xbake/builder"
)

// dockerEngine is the engine that `--load` (type=docker without dest)
// streams docker tarballs into, found and spoken to with the docker client
// libraries (package builder), as the docker CLI would.
type dockerEngine struct {
	*builder.Engine
}

// findDockerEngine opens the engine named by name (a docker context or an
// engine address; "" for the docker CLI's choice from getenv: DOCKER_HOST,
// DOCKER_CONTEXT, the current context) and checks that it answers.
func findDockerEngine(ctx context.Context, getenv func(string) string, name string) (*dockerEngine, error) {
	e, err := builder.OpenEngine(ctx, getenv, name)
	if err != nil {
		return nil, err
	}
	return &dockerEngine{e}, nil
}

// load streams a docker image tarball into the engine.
func (d *dockerEngine) load(ctx context.Context, r io.Reader) error {
	return d.Load(ctx, r)
}
