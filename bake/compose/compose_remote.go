package compose

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
)

// envFileAccess checks the env_file files of a Compose model (paths
// already resolved against the working directory) against allowRead. A
// remote definition's Compose file is read from the network, but its
// env_file files from the local disk, where the values of any file
// (env_file: /home/me/.secrets.env) would land in build arguments: each
// needs --allow fs.read, as a local context outside the working
// directory does. nil allows everything (a local definition).
func envFileAccess(model map[string]any, allowRead func(string) bool) error {
	if allowRead == nil {
		return nil
	}
	services, _ := model["services"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(services)) {
		m, _ := services[name].(map[string]any)
		list, _ := m["env_file"].([]any)
		for i, e := range list {
			ef, _ := e.(map[string]any)
			p, _ := ef["path"].(string)
			if p == "" {
				continue
			}
			if abs, err := filepath.Abs(p); err == nil && !allowRead(abs) {
				return &envFileRefused{service: name, index: i, path: abs}
			}
		}
	}
	return nil
}

// envFileRefused is an env_file a remote definition may not read.
type envFileRefused struct {
	service string
	index   int
	path    string
}

func (e *envFileRefused) Error() string {
	return fmt.Sprintf("service %q reads the local file %s", e.service, e.path)
}

func (e *envFileRefused) diag(loc *composeLocator) *hcl.Diagnostic {
	rng := loc.find("services", e.service, "env_file", strconv.Itoa(e.index))
	return xhcl.Errorf(&rng, "Local file not allowed",
		"Service %q of a remote definition reads the local file %s (env_file), whose values would become build arguments. Grant it with --allow fs.read=%s, or remove the env_file.",
		e.service, e.path, e.path)
}
