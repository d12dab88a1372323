package compose

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/localfile"
)

// maxEnvFile bounds .env and each env_file: compose-go reads them whole,
// and would read a device (/dev/zero) until memory runs out or wait for a
// FIFO's writer forever.
const maxEnvFile = 1 << 20

// checkEnvFiles checks the env_file files of a Compose model (paths
// already resolved against the working directory) before compose-go
// reads them: each must be a regular file of at most maxEnvFile (a
// missing one is compose-go's to report, or to skip when it is not
// required), and one that allowRead refuses is not read at all.
//
// allowRead is for a remote definition: its Compose file is read from the
// network, but its env_file files from the local disk, where the values
// of any file (env_file: /home/me/.secrets.env) would land in build
// arguments; each needs --allow fs.read, as a local context outside the
// working directory does. nil allows everything (a local definition).
func checkEnvFiles(model map[string]any, allowRead func(string) bool) error {
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
			abs, err := filepath.Abs(p)
			if err != nil {
				continue
			}
			if allowRead != nil && !allowRead(abs) {
				return &envFileError{service: name, index: i, path: abs, refused: true}
			}
			if st, err := os.Stat(abs); err == nil {
				le := &localfile.Error{Path: abs}
				if st.Mode().IsRegular() {
					le.Limit = maxEnvFile
				}
				if !st.Mode().IsRegular() || st.Size() > maxEnvFile {
					return &envFileError{service: name, index: i, path: abs, unreadable: le}
				}
			}
		}
	}
	return nil
}

// envFileError is an env_file that is not read: a remote definition may
// not read it (refused), or it is no regular file or too large.
type envFileError struct {
	service    string
	index      int
	path       string
	refused    bool
	unreadable *localfile.Error
}

func (e *envFileError) Error() string {
	if e.refused {
		return fmt.Sprintf("service %q reads the local file %s", e.service, e.path)
	}
	return fmt.Sprintf("service %q: env_file %s", e.service, e.unreadable)
}

func (e *envFileError) diag(loc *composeLocator) *hcl.Diagnostic {
	rng := loc.find("services", e.service, "env_file", strconv.Itoa(e.index))
	if e.refused {
		return xhcl.Errorf(&rng, "Local file not allowed",
			"Service %q of a remote definition reads the local file %s (env_file), whose values would become build arguments. Grant it with --allow fs.read=%s, or remove the env_file.",
			e.service, e.path, e.path)
	}
	return xhcl.Errorf(&rng, "Invalid env_file",
		"Service %q reads the env_file %s, which %s, so xbake does not read it. Point env_file at a file of NAME=value lines.",
		e.service, e.path, e.unreadable.Reason())
}
