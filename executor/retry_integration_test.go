package executor_test

import (
	"context"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/executor/oci"
)

// flakyProxy is a loopback reverse proxy in front of the stack's registry
// that answers 503 to the first n manifest PUTs, then passes everything.
type flakyProxy struct {
	mu      sync.Mutex
	refused int
	n       int
	addr    string
}

func newFlakyProxy(t *testing.T, registry string, n int) *flakyProxy {
	t.Helper()
	target, _ := url.Parse("http://" + registry)
	rp := httputil.NewSingleHostReverseProxy(target)
	fp := &flakyProxy{n: n}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	fp.addr = l.Addr().String()
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPut && strings.Contains(r.URL.Path, "/manifests/") {
			fp.mu.Lock()
			refuse := fp.refused < fp.n
			if refuse {
				fp.refused++
			}
			fp.mu.Unlock()
			if refuse {
				http.Error(w, "try again", http.StatusServiceUnavailable)
				return
			}
		}
		rp.ServeHTTP(w, r)
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return fp
}

func (fp *flakyProxy) refusals() int {
	fp.mu.Lock()
	defer fp.mu.Unlock()
	return fp.refused
}

// A registry that refuses twice, then accepts: the run succeeds through
// retries, for the per-platform pushes (BuildKit) and the index push.
func TestIntegrationRetriesTransientRegistryErrors(t *testing.T) {
	r := newRun(t)
	fp := newFlakyProxy(t, r.env.Registry, flakyRefusals)
	repo := strings.Replace(r.env.Repo(t), r.env.Registry, fp.addr, 1)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, archDockerfile(r.env.Registry),
		&bake.Export{Type: "registry", Attrs: map[string]string{"registry.insecure": "true"}})
	tgt.Tags = []string{repo + ":v1"}
	r.exec.Retries, r.exec.Backoff = 3, 100*time.Millisecond
	r.registry = oci.NewClient(oci.WithRetries(3), oci.WithBackoff(oci.Backoff{Base: 10 * time.Millisecond, Max: 100 * time.Millisecond}))
	var retried []string
	var mu sync.Mutex
	r.exec.Events = func(ev executor.Event) {
		if ev.Kind == executor.EventRetry {
			mu.Lock()
			retried = append(retried, ev.Node.ID+": "+ev.Err.Error())
			mu.Unlock()
		}
	}
	p := executortest.NewPlan(executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	if _, err := r.build(p); err != nil {
		t.Fatalf("%v\nretries: %v", err, retried)
	}
	if fp.refusals() != flakyRefusals {
		t.Errorf("the proxy refused %d requests, want %d", fp.refusals(), flakyRefusals)
	}
	t.Logf("node retries: %v", retried)
	ins, err := oci.NewClient().Inspect(context.Background(), strings.Replace(repo, fp.addr, r.env.Registry, 1)+":v1")
	if err != nil || len(ins.Manifests) != 2 {
		t.Fatalf("inspect: %v", err)
	}

	// The index push alone: the oci client's retries absorb 503s.
	fp2 := newFlakyProxy(t, r.env.Registry, 2)
	_, err = oci.NewClient(oci.WithRetries(3), oci.WithBackoff(oci.Backoff{Base: 10 * time.Millisecond, Max: 50 * time.Millisecond})).
		Create(context.Background(), []string{strings.Replace(repo, fp.addr, fp2.addr, 1) + ":v2"},
			[]string{strings.Replace(repo, fp.addr, fp2.addr, 1) + ":v1"}, nil)
	if err != nil || fp2.refusals() != 2 {
		t.Errorf("index push through 2 refusals: %v (refused %d)", err, fp2.refusals())
	}
}

// flakyRefusals: BuildKit's pusher retries 503s itself (with backoff,
// so more refusals only slow the test down) and the registry client
// retries the index push; re-running a failed solve on a transient error
// is covered by TestRunRetries.
const flakyRefusals = 2
