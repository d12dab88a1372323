package builder_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xbake/xbake/builder"
	"github.com/xbake/xbake/executor/executortest"
)

// There is no remote host or Kubernetes cluster here: these tests check
// that the right helper runs with the right arguments, through shims of
// ssh and kubectl that bridge to the stack's buildkitd with `buildctl
// dial-stdio`, and that BuildKit answers through them.

func status(t *testing.T, b *builder.Builder) *builder.NodeStatus {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st := b.Nodes[0].Status(ctx)
	if st.Err != nil {
		t.Fatalf("%s: %v", b.Nodes[0].Endpoint, st.Err)
	}
	if st.Version == "" || len(st.Reported) == 0 {
		t.Errorf("%s: version %q, platforms %v", b.Nodes[0].Endpoint, st.Version, st.Reported)
	}
	return st
}

// ssh://USER@HOST:PORT/SOCKET runs `ssh -l USER -p PORT -- HOST buildctl
// --addr unix://SOCKET dial-stdio`.
func TestIntegrationSSHAddress(t *testing.T) {
	env := executortest.Stack(t)
	socket, ok := strings.CutPrefix(env.BuildKitHost, "unix://")
	if !ok {
		t.Skipf("BUILDKIT_HOST %s is not a unix socket", env.BuildKitHost)
	}
	shims := executortest.NewShims(t)
	shims.SSH(t)
	addr := "ssh://builder@build-host:2222" + socket
	b, err := builder.Resolve(builder.Options{Name: addr, Getenv: func(string) string { return "" }})
	if err != nil {
		t.Fatal(err)
	}
	status(t, b)
	want := "ssh -l builder -p 2222 -- build-host buildctl --addr unix://" + socket + " dial-stdio"
	if calls := shims.Calls(t, "ssh"); len(calls) == 0 || calls[0] != want {
		t.Errorf("ssh calls %q, want %q first", calls, want)
	}
}

// pods lists what `kubectl get pods -o json` would for a deployment of
// two replicas, with a third pod terminating and a fourth pending.
const pods = `{"apiVersion":"v1","kind":"List","items":[
 {"metadata":{"name":"kb0-5d8f-zzzz","namespace":"ci","deletionTimestamp":"2026-01-01T00:00:00Z"},"spec":{"containers":[{"name":"buildkitd"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"kb0-5d8f-bbbb","namespace":"ci"},"spec":{"containers":[{"name":"buildkitd"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"kb0-5d8f-aaaa","namespace":"ci"},"spec":{"containers":[{"name":"buildkitd"}]},"status":{"phase":"Running"}},
 {"metadata":{"name":"kb0-5d8f-cccc","namespace":"ci"},"spec":{"containers":[{"name":"buildkitd"}]},"status":{"phase":"Pending"}}]}`

// A kubernetes builder: its node's pods are those labelled app=<node>,
// listed in the namespace of the driver options; the kube-pod helper
// execs `buildctl dial-stdio` in one running pod, the same one for the
// same project (loadbalance=sticky), any running one with random.
func TestIntegrationKubernetesDriver(t *testing.T) {
	env := executortest.Stack(t)
	shims := executortest.NewShims(t)
	shims.Kubectl(t, pods, env.BuildKitHost)
	bx := t.TempDir()
	write := func(opts string) {
		t.Helper()
		os.MkdirAll(filepath.Join(bx, "instances"), 0o700)
		instance := `{"Name":"kb","Driver":"kubernetes","Nodes":[{"Name":"kb0","Endpoint":"default","Platforms":null,"DriverOpts":{` + opts + `},"Flags":null,"Files":null}],"Dynamic":false}`
		if err := os.WriteFile(filepath.Join(bx, "instances", "kb"), []byte(instance), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	resolve := func(workDir string) *builder.Builder {
		t.Helper()
		b, err := builder.Resolve(builder.Options{Name: "kb", WorkDir: workDir, Getenv: func(k string) string {
			return map[string]string{"BUILDX_CONFIG": bx}[k]
		}})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	running := []string{"kb0-5d8f-aaaa", "kb0-5d8f-bbbb"}
	execPod := func(call string) string {
		t.Helper()
		const prefix = "kubectl --context= --namespace=ci exec --container=buildkitd -i "
		pod, ok := strings.CutSuffix(strings.TrimPrefix(call, prefix), " -- buildctl dial-stdio")
		if !strings.HasPrefix(call, prefix) || !ok || !slices.Contains(running, pod) {
			t.Errorf("exec call %q: want %s<one of %v> -- buildctl dial-stdio", call, prefix, running)
		}
		return pod
	}

	write(`"namespace":"ci","loadbalance":"sticky","replicas":"2"`)
	status(t, resolve("/src/project-a"))
	status(t, resolve("/src/project-a"))
	calls := shims.Calls(t, "kubectl")
	if len(calls) != 4 || calls[0] != "kubectl --namespace ci get pods --selector app=kb0 --output json" {
		t.Fatalf("kubectl calls: %q", calls)
	}
	if a, b := execPod(calls[1]), execPod(calls[3]); a != b {
		t.Errorf("sticky: the same project went to %s, then %s", a, b)
	}
	// Two projects: rendezvous hashing spreads them; some pair of these
	// lands on different pods.
	pods := map[string]bool{}
	for _, p := range []string{"/a", "/b", "/c", "/d", "/e", "/f"} {
		status(t, resolve(p))
		calls := shims.Calls(t, "kubectl")
		pods[execPod(calls[len(calls)-1])] = true
	}
	if len(pods) != 2 {
		t.Errorf("six projects all went to %v", pods)
	}

	write(`"loadbalance":"random"`)
	status(t, resolve("/src/project-a"))
	calls = shims.Calls(t, "kubectl")
	if got := calls[len(calls)-2]; got != "kubectl get pods --selector app=kb0 --output json" {
		t.Errorf("without a namespace option, kubectl's own: %q", got)
	}
	if got := calls[len(calls)-1]; !strings.HasPrefix(got, "kubectl --context= --namespace=ci exec") {
		t.Errorf("the pod's namespace is passed on: %q", got)
	}

	// No running pod: the node says which label it looked for, and how to
	// create the pods.
	shims.Kubectl(t, `{"items":[]}`, env.BuildKitHost)
	st := resolve("/src").Nodes[0].Status(context.Background())
	want := "builder kb, node kb0 (kubernetes pods app=kb0 in kubectl's current namespace) does not answer: no running pod has the label app=kb0\n" +
		"Create or scale the deployment: `docker buildx inspect --bootstrap kb`, or `kubectl get deployment kb0`."
	if st.Err == nil || st.Err.Error() != want {
		t.Errorf("no pods:\n%v\nwant\n%s", st.Err, want)
	}
}

// buildx create names a kubernetes node's endpoint after the kubeconfig
// it was created with (kubernetes:///BUILDER?deployment=NODE&kubeconfig=
// PATH): every kubectl call uses that file, whatever KUBECONFIG says now.
func TestIntegrationKubernetesKubeconfig(t *testing.T) {
	env := executortest.Stack(t)
	shims := executortest.NewShims(t)
	shims.Kubectl(t, pods, env.BuildKitHost)
	bx := t.TempDir()
	os.MkdirAll(filepath.Join(bx, "instances"), 0o700)
	instance := `{"Name":"kb","Driver":"kubernetes","Nodes":[{"Name":"kb0","Endpoint":"kubernetes:///kb?deployment=kb0\u0026kubeconfig=%2Fhome%2Fci%2F.kube%2Fprod","Platforms":null,"DriverOpts":{"namespace":"ci"},"Flags":null,"Files":null}],"Dynamic":false}`
	if err := os.WriteFile(filepath.Join(bx, "instances", "kb"), []byte(instance), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := builder.Resolve(builder.Options{Name: "kb", WorkDir: "/src", Getenv: func(k string) string {
		return map[string]string{"BUILDX_CONFIG": bx, "KUBECONFIG": "/elsewhere"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	status(t, b)
	calls := shims.Calls(t, "kubectl")
	if len(calls) != 2 || calls[0] != "kubectl --kubeconfig /home/ci/.kube/prod --namespace ci get pods --selector app=kb0 --output json" ||
		!strings.HasPrefix(calls[1], "kubectl --kubeconfig=/home/ci/.kube/prod --namespace=ci exec -i kb0-5d8f-") ||
		!strings.HasSuffix(calls[1], " --container=buildkitd -- buildctl dial-stdio") {
		t.Errorf("kubectl calls: %q", calls)
	}
}

// kube-pod:// as an address (BUILDKIT_HOST) goes through the same helper.
func TestIntegrationKubePodAddress(t *testing.T) {
	env := executortest.Stack(t)
	shims := executortest.NewShims(t)
	shims.Kubectl(t, pods, env.BuildKitHost)
	b, err := builder.Resolve(builder.Options{Getenv: func(k string) string {
		return map[string]string{"BUILDKIT_HOST": "kube-pod://buildkitd-0?namespace=ci&context=prod"}[k]
	}})
	if err != nil {
		t.Fatal(err)
	}
	status(t, b)
	want := "kubectl --context=prod --namespace=ci exec --container= -i buildkitd-0 -- buildctl dial-stdio"
	if calls := shims.Calls(t, "kubectl"); len(calls) == 0 || calls[0] != want {
		t.Errorf("kubectl calls %q, want %q", calls, want)
	}
}
