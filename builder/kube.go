package builder

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"os/exec"
	"regexp"
	"slices"
	"strings"

	"github.com/docker/cli/cli/connhelper/commandconn"
	"github.com/moby/buildkit/client"
)

// kubeName is what Kubernetes accepts as a namespace, pod or container
// name (and what BuildKit's kube-pod helper accepts).
var kubeName = regexp.MustCompile(`^[-a-z0-9.]+$`)

// deploymentName is the Kubernetes deployment buildx creates for a node:
// the node's name with "_" replaced by "-". Its pods carry the label
// app=<deployment>.
func deploymentName(node string) string { return strings.ReplaceAll(node, "_", "-") }

// kubePod is what xbake reads of `kubectl get pods -o json`.
type kubePod struct {
	Metadata struct {
		Name              string  `json:"name"`
		Namespace         string  `json:"namespace"`
		DeletionTimestamp *string `json:"deletionTimestamp"`
	} `json:"metadata"`
	Spec struct {
		Containers []struct {
			Name string `json:"name"`
		} `json:"containers"`
	} `json:"spec"`
	Status struct {
		Phase string `json:"phase"`
	} `json:"status"`
}

// dialKube reaches a kubernetes node through BuildKit's kube-pod helper
// (`kubectl exec POD -- buildctl dial-stdio`), on one running pod of the
// node's deployment, listed with kubectl in the node's namespace (driver
// option namespace, else kubectl's current one). With loadbalance=sticky
// (the default) the pod is a function of the working directory, so that
// a project keeps its cache; with random, any running pod.
func (n *Node) dialKube(ctx context.Context) (*client.Client, error) {
	if _, err := exec.LookPath("kubectl"); err != nil {
		return nil, &NodeError{Node: n, Err: errors.New("kubectl is not on PATH"),
			Remedy: "A kubernetes node is reached through `kubectl exec`: install kubectl and point it at the cluster (KUBECONFIG)."}
	}
	pods, err := n.runningPods(ctx)
	if err != nil {
		return nil, err
	}
	pod := n.choosePod(pods)
	q := url.Values{}
	if pod.Metadata.Namespace != "" {
		q.Set("namespace", pod.Metadata.Namespace)
	}
	if len(pod.Spec.Containers) > 0 {
		q.Set("container", pod.Spec.Containers[0].Name)
	}
	addr := "kube-pod://" + pod.Metadata.Name
	if len(q) > 0 {
		addr += "?" + q.Encode()
	}
	opts := []client.ClientOpt{keepalive()}
	if kc := n.kubeconfig(); kc != "" {
		// BuildKit's kube-pod helper runs kubectl with the process's
		// KUBECONFIG; the builder's cluster is the one it was made on.
		args := []string{"--kubeconfig=" + kc, "--namespace=" + pod.Metadata.Namespace, "exec", "-i", pod.Metadata.Name}
		if len(pod.Spec.Containers) > 0 {
			args = append(args, "--container="+pod.Spec.Containers[0].Name)
		}
		args = append(args, "--", "buildctl", "dial-stdio")
		opts = append(opts, client.WithContextDialer(func(context.Context, string) (net.Conn, error) {
			// The connection outlives the dial's context (as the helper's).
			return commandconn.New(context.Background(), "kubectl", args...)
		}))
	}
	return n.clientOrUnreachable(client.New(ctx, addr, opts...))
}

// kubeconfig is the kubeconfig file buildx recorded for a kubernetes
// node: buildx create names the node's endpoint
// kubernetes:///BUILDER?deployment=NODE&kubeconfig=PATH, PATH being the
// KUBECONFIG it was created with ("" when unset, or for an endpoint that
// is a docker context).
func (n *Node) kubeconfig() string {
	u, err := url.Parse(n.Endpoint)
	if err != nil || u.Scheme != "kubernetes" {
		return ""
	}
	return u.Query().Get("kubeconfig")
}

// runningPods lists the node's running pods that are not terminating,
// sorted by name.
func (n *Node) runningPods(ctx context.Context) ([]kubePod, error) {
	args := []string{"get", "pods", "--selector", "app=" + deploymentName(n.Name), "--output", "json"}
	if ns := n.DriverOpts["namespace"]; ns != "" {
		args = append([]string{"--namespace", ns}, args...)
	}
	if kc := n.kubeconfig(); kc != "" {
		args = append([]string{"--kubeconfig", kc}, args...)
	}
	cmd := exec.CommandContext(ctx, "kubectl", args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, &NodeError{Node: n, Err: fmt.Errorf("kubectl %s: %v: %s", strings.Join(args, " "), err, lastLine(stderr.String())),
			Remedy: "Check kubectl's access to the cluster: `kubectl get pods`."}
	}
	var list struct {
		Items []kubePod `json:"items"`
	}
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, &NodeError{Node: n, Err: fmt.Errorf("kubectl %s: unexpected output: %v", strings.Join(args, " "), err)}
	}
	var running []kubePod
	for _, p := range list.Items {
		if p.Status.Phase == "Running" && p.Metadata.DeletionTimestamp == nil && kubeName.MatchString(p.Metadata.Name) {
			running = append(running, p)
		}
	}
	if len(running) == 0 {
		return nil, &NodeError{Node: n, Err: fmt.Errorf("no running pod has the label app=%s", deploymentName(n.Name)),
			Remedy: fmt.Sprintf("Create or scale the deployment: `docker buildx inspect --bootstrap %s`, or `kubectl get deployment %s`.", n.Builder, deploymentName(n.Name))}
	}
	slices.SortFunc(running, func(a, b kubePod) int { return strings.Compare(a.Metadata.Name, b.Metadata.Name) })
	return running, nil
}

// choosePod applies the loadbalance option. Sticky uses rendezvous
// hashing on the working directory: the same pod for the same project as
// long as it runs, and only that project's pod changes when pods come and
// go (buildx uses a consistent-hash ring to the same end).
func (n *Node) choosePod(pods []kubePod) kubePod {
	if n.DriverOpts["loadbalance"] == "random" {
		return pods[rand.IntN(len(pods))]
	}
	best, bestScore := 0, [32]byte{}
	for i, p := range pods {
		s := sha256.Sum256([]byte(n.workDir + "\x00" + p.Metadata.Name))
		if i == 0 || bytes.Compare(s[:], bestScore[:]) > 0 {
			best, bestScore = i, s
		}
	}
	return pods[best]
}

// lastLine is the last line of kubectl's stderr, the one that says why:
// before it, kubectl logs a line for each retry of the cluster's API.
func lastLine(s string) string {
	s = strings.TrimSpace(s)
	return s[strings.LastIndexByte(s, '\n')+1:]
}
