package executor

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"
)

// dockerEngine is the docker API endpoint that `--load` streams docker
// tarballs into. Only what loading needs is spoken: ping and image load.
type dockerEngine struct {
	host   string
	client *http.Client
}

// findDockerEngine returns the engine at host (DOCKER_HOST form; "" means
// unix:///var/run/docker.sock) if it answers a ping.
func findDockerEngine(ctx context.Context, host string) (*dockerEngine, error) {
	if host == "" {
		host = "unix:///var/run/docker.sock"
	}
	var dial func(ctx context.Context, _, _ string) (net.Conn, error)
	switch {
	case strings.HasPrefix(host, "unix://"):
		path := strings.TrimPrefix(host, "unix://")
		dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "unix", path)
		}
	case strings.HasPrefix(host, "tcp://"):
		addr := strings.TrimPrefix(host, "tcp://")
		dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "tcp", addr)
		}
	default:
		return nil, fmt.Errorf("docker host %q is not supported (use unix:// or tcp://)", host)
	}
	d := &dockerEngine{host: host, client: &http.Client{Transport: &http.Transport{DialContext: dial}}}
	pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(pctx, http.MethodGet, "http://docker/_ping", nil)
	resp, err := d.client.Do(req)
	if err != nil {
		if _, serr := os.Stat(strings.TrimPrefix(host, "unix://")); strings.HasPrefix(host, "unix://") && serr != nil {
			return nil, fmt.Errorf("no docker engine answers (%s does not exist; set DOCKER_HOST if it runs elsewhere)", host)
		}
		return nil, fmt.Errorf("no docker engine answers at %s: %v", host, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("the docker engine at %s answers %s", host, resp.Status)
	}
	return d, nil
}

// load streams a docker image tarball into the engine.
func (d *dockerEngine) load(ctx context.Context, r io.Reader) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://docker/images/load?quiet=1", r)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-tar")
	resp, err := d.client.Do(req)
	if err != nil {
		return fmt.Errorf("loading into docker at %s: %w", d.host, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("loading into docker at %s: %s: %s", d.host, resp.Status, strings.TrimSpace(string(body)))
	}
	// The engine reports load errors in the body's JSON stream.
	if i := strings.Index(string(body), `"error"`); i >= 0 {
		return fmt.Errorf("loading into docker at %s: %s", d.host, strings.TrimSpace(string(body)))
	}
	return nil
}
