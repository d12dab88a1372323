package main

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
)

// -D/--debug, as buildx's: the debug logs of the BuildKit client library
// (session, file transfer, gRPC) through logrus, xbake's own debug lines
// (its version and the docker environment it runs with, the definition
// files it read), BuildKit's stack traces under the error of a failed
// node, and Go's stack trace for a panic. XBAKE_DEBUG=1 turns it on from
// the environment. buildx also reads DEBUG (which the docker CLI's -D sets
// for its plugins); xbake does not, because bake files often have a
// variable or build argument of that name (DEBUG=1 xbake builds a debug
// variant); "docker -D xbake" gets --debug from the plugin's arguments.
// xbake's own errors carry no stack: they name the node and the position
// in the bake file instead.

// addDebugFlag adds --debug to the root command and turns debug output
// on before any command runs.
func (a *app) addDebugFlag(cmd *cobra.Command) {
	cmd.PersistentFlags().BoolVarP(&a.debug, "debug", "D", envDebug(a.getenv("XBAKE_DEBUG")), "Debug output: BuildKit client logs, stack traces of BuildKit errors (default true when XBAKE_DEBUG is set)")
	cmd.PersistentPreRun = func(*cobra.Command, []string) { a.startLogs() }
}

// startLogs sends the logs of the libraries xbake uses (through logrus:
// the BuildKit client, containerd's content store) to stderr, as buildx
// shows them, without the noise (logFormatter); --debug adds their debug
// level and xbake's own debug lines.
func (a *app) startLogs() {
	logrus.SetOutput(a.stderr)
	logrus.SetFormatter(logFormatter{debug: a.debug})
	logrus.SetLevel(logrus.InfoLevel)
	if a.debug {
		a.startDebug()
	}
}

// envDebug reads XBAKE_DEBUG: any value but empty, "0" and "false" is on.
func envDebug(v string) bool {
	if b, err := strconv.ParseBool(v); err == nil {
		return b
	}
	return v != ""
}

// debugHeaderShownEnv tells the engine that the front build, which hands
// it the command, printed the debug header already.
const debugHeaderShownEnv = "XBAKE_DEBUG_HEADER_SHOWN"

func (a *app) startDebug() {
	logrus.SetLevel(logrus.DebugLevel)
	if a.getenv(debugHeaderShownEnv) != "" {
		return
	}
	a.debugf("%s", currentBuild())
	var env []string
	for _, k := range []string{"DOCKER_CONFIG", "DOCKER_CONTEXT", "DOCKER_HOST", "BUILDKIT_HOST", "BUILDX_BUILDER", "BUILDX_CONFIG", pluginReexecEnv} {
		if v, ok := a.lookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	if len(env) > 0 {
		a.debugf("environment: %s", strings.Join(env, " "))
	}
}

// debugf prints one line of xbake's own debug output.
func (a *app) debugf(format string, args ...any) {
	if a.debug {
		fmt.Fprintf(a.stderr, "DEBUG: "+format+"\n", args...)
	}
}

// logFormatter prints logrus entries as xbake's own debug lines (and as
// buildx does): "LEVEL: message: error".
type logFormatter struct {
	debug bool
}

// fsverityCheck is the warning of containerd's local content store (an
// OCI layout: a link across nodes, an oci-layout:// context, a local
// cache) on a file system without fs-verity, which is most of them: it
// says nothing a user can act on, so only --debug shows it (buildx never
// does).
const fsverityCheck = "failed check for fsverity support"

func (f logFormatter) Format(e *logrus.Entry) ([]byte, error) {
	if e.Level == logrus.DebugLevel && (e.Message == "serving grpc connection" || e.Message == "stopping session") {
		return nil, nil // one per session, as buildx filters them: noise
	}
	if !f.debug && e.Message == fsverityCheck {
		return nil, nil
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s", strings.ToUpper(e.Level.String()), e.Message)
	if err, ok := e.Data[logrus.ErrorKey]; ok {
		fmt.Fprintf(&b, ": %v", err)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Data)) {
		if k != logrus.ErrorKey {
			fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
		}
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}
