package executor_test

import (
	"archive/tar"
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/executor/executortest"
	"github.com/xbake/xbake/plan"
)

// containerdEngine stands in for a Docker engine with the containerd
// image store, which keeps a multi-platform image under one tag. The
// stack's engine (docker 20.10) has only the classic store, and no newer
// dockerd can be installed here; this one speaks the three calls --load
// makes (ping, info, image load) and keeps what it was sent.
type containerdEngine struct {
	mu     sync.Mutex
	loaded [][]byte
}

func (e *containerdEngine) serve(t *testing.T) string {
	sock := filepath.Join(t.TempDir(), "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.48")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			io.WriteString(w, "OK")
		case strings.HasSuffix(r.URL.Path, "/info"):
			io.WriteString(w, `{"Driver":"overlayfs","DriverStatus":[["driver-type","io.containerd.snapshotter.v1"]]}`)
		case strings.HasSuffix(r.URL.Path, "/images/load"):
			dt, _ := io.ReadAll(r.Body)
			e.mu.Lock()
			e.loaded = append(e.loaded, dt)
			e.mu.Unlock()
			io.WriteString(w, `{"stream":"Loaded image: xbake-test/app:v1\n"}`)
		default:
			http.NotFound(w, r)
		}
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + sock
}

// With plan.Plan.LoadIndex, a multi-platform --load is one OCI archive
// loaded once by the merge node: an index over both platforms under the
// user's tag, not one image per platform under suffixed tags.
func TestIntegrationLoadIndex(t *testing.T) {
	r := newRun(t)
	engine := &containerdEngine{}
	r.bkOpt.DockerHost = engine.serve(t)
	plats := []string{"linux/amd64", "linux/arm64"}
	tgt := r.target("app", plats, "FROM "+r.env.Registry+"/xbake/busybox\nCMD [\"uname\", \"-m\"]\n", &bake.Export{Type: "docker"})
	tgt.Tags = []string{"xbake-test/app:v1"}
	p := executortest.NewPlanRequest(plan.Request{LoadIndex: true},
		executortest.PlanTarget{Name: "app", Platforms: plats, Merge: true, Target: tgt})
	rep, err := r.build(p)
	if err != nil {
		t.Fatalf("%v\n%s", err, r.output())
	}
	if len(engine.loaded) != 1 {
		t.Fatalf("%d loads, want one", len(engine.loaded))
	}
	files := map[string][]byte{}
	tr := tar.NewReader(bytes.NewReader(engine.loaded[0]))
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		files[h.Name], _ = io.ReadAll(tr)
	}
	var top ocispec.Index
	if err := json.Unmarshal(files["index.json"], &top); err != nil || len(top.Manifests) != 1 {
		t.Fatalf("index.json: %v %s", err, files["index.json"])
	}
	if name := top.Manifests[0].Annotations["io.containerd.image.name"]; name != "docker.io/xbake-test/app:v1" {
		t.Errorf("the image is named %q, want docker.io/xbake-test/app:v1", name)
	}
	var idx ocispec.Index
	if err := json.Unmarshal(files["blobs/sha256/"+top.Manifests[0].Digest.Encoded()], &idx); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range idx.Manifests {
		if m.Platform != nil {
			got = append(got, platforms.Format(*m.Platform))
		}
	}
	if strings.Join(got, ",") != "linux/amd64,linux/arm64" {
		t.Errorf("the loaded index has %v", got)
	}
	for _, n := range rep.Nodes {
		if n.Node.ID == "app#index" && (n.Result == nil || strings.Join(n.Result.Published, ",") != "docker:xbake-test/app:v1") {
			t.Errorf("app#index published %+v", n.Result)
		}
	}
}
