package main

import (
	"strings"

	"github.com/xbake/xbake/bake"
)

// remoteArgs splits buildx's positional form: [URL] [CMDCONTEXT_URL]
// [TARGET...]. A first argument that is a remote URL is the definition;
// a second one is BAKE_CMD_CONTEXT.
func remoteArgs(args []string) (defURL, cmdContext string, targets []string) {
	cmdContext, targets = "cwd://", args
	if len(targets) == 0 || !bake.IsRemoteURL(targets[0]) {
		return "", cmdContext, targets
	}
	defURL, targets = targets[0], targets[1:]
	if len(targets) > 0 && bake.IsRemoteURL(targets[0]) {
		cmdContext, targets = targets[0], targets[1:]
	}
	return defURL, cmdContext, targets
}

// splitRemote splits the -f names of a remote invocation into the ones to
// read from the remote definition and the cwd:// ones, read locally.
func splitRemote(names []string) (remote, local []string) {
	for _, n := range names {
		if rest, ok := strings.CutPrefix(n, "cwd://"); ok {
			local = append(local, rest)
		} else {
			remote = append(remote, n)
		}
	}
	return remote, local
}
