package builder_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/executor/executortest"
)

// The stack's engine (docker 20.10) has the classic image store, one
// platform per tag; an archive it cannot load fails with the engine's own
// message.
func TestIntegrationEngine(t *testing.T) {
	d := executortest.Docker(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	e, err := builder.OpenEngine(ctx, func(k string) string { return map[string]string{"DOCKER_HOST": d.Host}[k] }, "")
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	if e.MultiPlatform || e.Context != "default" || e.Host != d.Host || e.Source != "DOCKER_HOST" {
		t.Errorf("engine %+v", e.DockerEngine)
	}
	err = e.Load(ctx, strings.NewReader("not a tar archive"))
	if err == nil || !strings.HasPrefix(err.Error(), "loading into the docker engine "+d.Host+" (context default): Error processing tar file") {
		t.Errorf("load of garbage: %v", err)
	}
}
