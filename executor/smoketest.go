package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moby/buildkit/client"
	"github.com/moby/buildkit/exporter/containerimage/exptypes"
	gateway "github.com/moby/buildkit/frontend/gateway/client"
	gatewaypb "github.com/moby/buildkit/frontend/gateway/pb"
	"github.com/moby/buildkit/solver/pb"
	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// Smoke tests (bake.Test, plan.Solve.Tests) run in a solve's result
// before it exports anything: in a container of the built image on the
// daemon that built it, through the gateway (BuildKit runs a foreign
// platform's binaries under QEMU, as it runs RUN steps). A test that
// fails fails the solve, so that none of its outputs is written, its
// target's merge node never runs and no tag moves.

// TestResult is how one smoke test went on one platform.
type TestResult struct {
	Name     string // the test block's
	Target   string
	Platform string
	Passed   bool
	// Reason says why it failed: the exit status, a timeout, or the
	// expectation the output did not meet.
	Reason   string
	Output   string // the end of what the command printed (testOutputTail)
	Duration time.Duration
}

// TestError is a solve's failed smoke test.
type TestError struct {
	Result TestResult
}

func (e *TestError) Error() string {
	r := e.Result
	msg := fmt.Sprintf("test %q of target %q failed on %s: %s", r.Name, r.Target, r.Platform, r.Reason)
	if out := strings.TrimRight(r.Output, "\n"); out != "" {
		msg += "\noutput:\n  " + strings.ReplaceAll(out, "\n", "\n  ")
	}
	return msg
}

// TestStatus is a solve's TEST column: "passed" (or "N passed"),
// "failed", or "" when it ran no test.
func TestStatus(nr *NodeReport) string {
	var te *TestError
	switch {
	case errors.As(nr.Err, &te):
		return "failed"
	case nr.Result == nil || len(nr.Result.Tests) == 0:
		return ""
	case len(nr.Result.Tests) == 1:
		return "passed"
	default:
		return fmt.Sprintf("%d passed", len(nr.Result.Tests))
	}
}

const (
	// testOutputKept bounds what a test's output is matched against.
	testOutputKept = 1 << 20
	// testOutputTail is how much of it a result keeps to show.
	testOutputTail = 2 << 10
)

// runTests runs n's tests in res, the solve's evaluated result, one after
// the other; the first that fails ends them with a *TestError.
func runTests(ctx context.Context, gw gateway.Client, n *plan.Node, res *gateway.Result, progress func(*client.SolveStatus)) ([]TestResult, error) {
	if len(n.Solve.Tests) == 0 {
		return nil, nil
	}
	ref, suffix := res.Ref, ""
	if ref == nil && len(res.Refs) == 1 {
		for k, r := range res.Refs {
			ref, suffix = r, "/"+k
		}
	}
	if ref == nil {
		return nil, errors.New("the build has no image to test")
	}
	var img ocispec.Image
	if dt, ok := res.Metadata[exptypes.ExporterImageConfigKey+suffix]; ok {
		if err := json.Unmarshal(dt, &img); err != nil {
			return nil, fmt.Errorf("reading the image config to test: %w", err)
		}
	}
	var out []TestResult
	for _, t := range n.Solve.Tests {
		r := runTest(ctx, gw, ref, img.Config, t, n, progress)
		out = append(out, r)
		if ctx.Err() != nil {
			return out, context.Cause(ctx)
		}
		if !r.Passed {
			return out, &TestError{Result: r}
		}
	}
	return out, nil
}

// runTest runs t's command in a container of ref and checks it.
func runTest(ctx context.Context, gw gateway.Client, ref gateway.Reference, cfg ocispec.ImageConfig, t *bake.Test, n *plan.Node, progress func(*client.SolveStatus)) (r TestResult) {
	p := n.Solve.Platform
	r = TestResult{Name: t.Name, Target: t.Target, Platform: n.Platform}
	v := &testVertex{progress: progress, v: client.Vertex{
		Digest: digest.FromString("xbake-test\x00" + n.ID + "\x00" + t.Name),
		Name:   fmt.Sprintf("test %s: %s", t.Name, strings.Join(t.Command, " ")),
	}}
	start := time.Now()
	v.start(start)
	defer func() {
		r.Duration = time.Since(start)
		v.done(time.Now(), r)
	}()
	expect, err := t.ExpectFor(p)
	if err != nil {
		r.Reason = err.Error()
		return r
	}
	tctx, cancel := context.WithTimeout(ctx, t.Timeout)
	defer cancel()
	ctr, err := gw.NewContainer(tctx, gateway.NewContainerRequest{
		Mounts:   []gateway.Mount{{Dest: "/", Ref: ref, MountType: pb.MountType_BIND}},
		Platform: &pb.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant},
	})
	if err != nil {
		r.Reason = "starting a container of the image: " + err.Error()
		return r
	}
	defer func() {
		// Release kills what still runs; a daemon that does not answer
		// must not hold the solve.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = ctr.Release(rctx)
	}()
	env := slices.Clone(cfg.Env)
	for _, k := range slices.Sorted(maps.Keys(t.Env)) {
		env = append(env, k+"="+t.Env[k])
	}
	buf := &testOutput{v: v}
	proc, err := ctr.Start(tctx, gateway.StartRequest{
		Args: t.Command, Env: env, User: cfg.User, Cwd: cfg.WorkingDir,
		Stdout: buf.stream(1), Stderr: buf.stream(2),
	})
	if err == nil {
		waited := make(chan error, 1)
		go func() { waited <- proc.Wait() }()
		select {
		case err = <-waited:
		case <-tctx.Done():
			err = tctx.Err()
		}
	}
	r.Output = buf.tail()
	var exit *gatewaypb.ExitError
	switch {
	case ctx.Err() != nil:
		r.Reason = "canceled"
	case errors.Is(err, context.DeadlineExceeded) || tctx.Err() != nil:
		r.Reason = fmt.Sprintf("the command ran longer than its timeout, %s", t.Timeout)
	case errors.As(err, &exit):
		r.Reason = fmt.Sprintf("the command exited with status %d", exit.ExitCode)
	case err != nil:
		r.Reason = "running the command: " + err.Error()
	case expect != nil && !expect.Match(buf.all()):
		r.Reason = fmt.Sprintf("its output has no match for %q", expect.String())
	default:
		r.Passed = true
	}
	return r
}

// testVertex shows a test in the progress display as a vertex of the
// solve, with the command's output as its logs. Its name does not start
// with "[", so that it is no Dockerfile step (isStep).
type testVertex struct {
	progress func(*client.SolveStatus)
	mu       sync.Mutex
	v        client.Vertex
}

func (tv *testVertex) start(now time.Time) {
	tv.mu.Lock()
	defer tv.mu.Unlock()
	tv.v.Started = &now
	tv.send(&client.SolveStatus{Vertexes: []*client.Vertex{ptrTo(tv.v)}})
}

func (tv *testVertex) log(stream int, data []byte) {
	tv.send(&client.SolveStatus{Logs: []*client.VertexLog{{Vertex: tv.v.Digest, Stream: stream, Data: data, Timestamp: time.Now()}}})
}

func (tv *testVertex) done(now time.Time, r TestResult) {
	tv.mu.Lock()
	defer tv.mu.Unlock()
	tv.v.Completed = &now
	if !r.Passed {
		tv.v.Error = r.Reason
	}
	tv.send(&client.SolveStatus{Vertexes: []*client.Vertex{ptrTo(tv.v)}})
}

func (tv *testVertex) send(st *client.SolveStatus) {
	if tv.progress != nil {
		tv.progress(st)
	}
}

func ptrTo[T any](v T) *T { return &v }

// testOutput keeps a test's output, stdout and stderr in the order they
// arrive, up to testOutputKept, and shows it as the vertex's logs.
type testOutput struct {
	v  *testVertex
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *testOutput) stream(fd int) *testStream { return &testStream{o: o, fd: fd} }

func (o *testOutput) all() []byte {
	o.mu.Lock()
	defer o.mu.Unlock()
	return bytes.Clone(o.b.Bytes())
}

func (o *testOutput) tail() string {
	b := o.all()
	if len(b) > testOutputTail {
		b = append([]byte("…"), b[len(b)-testOutputTail:]...)
	}
	return string(bytes.ToValidUTF8(b, []byte("?")))
}

type testStream struct {
	o  *testOutput
	fd int
}

func (s *testStream) Write(p []byte) (int, error) {
	s.o.mu.Lock()
	if room := testOutputKept - s.o.b.Len(); room > 0 {
		s.o.b.Write(p[:min(len(p), room)])
	}
	s.o.mu.Unlock()
	s.o.v.log(s.fd, bytes.Clone(p))
	return len(p), nil
}

func (s *testStream) Close() error { return nil }
