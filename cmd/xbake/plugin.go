package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Docker CLI plugin mode. Installed as ~/.docker/cli-plugins/docker-xbake
// (or in any of the docker CLI's plugin folders), xbake runs as "docker
// xbake ...". The protocol is docker/cli's cli-plugins, spoken here
// directly: its Go package would add 13 modules and 89 packages (the
// docker API client, OpenTelemetry exporters) and set up a docker client
// on every run, for three things:
//
//   - "docker-xbake docker-cli-plugin-metadata" prints pluginMetadata as
//     JSON; the docker CLI asks it to list and validate plugins;
//   - "docker [GLOBAL FLAGS] xbake ARGS" runs "docker-xbake [GLOBAL FLAGS]
//     xbake ARGS" with DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND set; the
//     global flags (--config, --context, --host, TLS, --debug) are turned
//     into the docker CLI's environment variables of the same meaning, so
//     that everything reading DOCKER_CONFIG, DOCKER_CONTEXT and DOCKER_HOST
//     honours them;
//   - on a signal, a docker CLI whose output is not a terminal closes the
//     socket named by DOCKER_CLI_PLUGIN_SOCKET instead of forwarding it:
//     xbake then interrupts itself, as Ctrl-C would.
const (
	pluginMetadataCommand = "docker-cli-plugin-metadata"
	pluginReexecEnv       = "DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND"
	pluginSocketEnv       = "DOCKER_CLI_PLUGIN_SOCKET"
	pluginPrefix          = "docker-"
	projectURL            = "https://github.com/xbake/xbake"
)

// pluginMetadata is docker/cli's cli-plugins/metadata.Metadata.
type pluginMetadata struct {
	SchemaVersion    string `json:",omitempty"`
	Vendor           string `json:",omitempty"`
	Version          string `json:",omitempty"`
	ShortDescription string `json:",omitempty"`
	URL              string `json:",omitempty"`
}

func newPluginMetadataCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:    pluginMetadataCommand,
		Short:  "Describe xbake to the docker CLI, which runs it as a plugin",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetEscapeHTML(false)
			enc.SetIndent("", "     ") // as docker's own plugins print it
			return enc.Encode(pluginMetadata{
				SchemaVersion:    "0.1.0",
				Vendor:           "xbake",
				Version:          currentBuild().Version,
				ShortDescription: "Build multi-platform images from bake files, per platform and in parallel",
				URL:              projectURL,
			})
		},
	}
}

// dockerPlugin returns xbake's own arguments from the process's: when the
// docker CLI runs xbake as a plugin, its global flags become environment
// variables (set here) and the plugin's name is dropped. Otherwise args
// are returned as they are.
func dockerPlugin(args []string) []string {
	inv, err := parsePluginArgs(os.Args[0], args, os.LookupEnv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "xbake: %v\n", err)
		os.Exit(exitUsage)
	}
	if inv == nil {
		return args
	}
	for _, kv := range inv.env {
		if kv[1] == "" {
			os.Unsetenv(kv[0])
		} else {
			os.Setenv(kv[0], kv[1])
		}
	}
	if addr, ok := os.LookupEnv(pluginSocketEnv); ok {
		watchPluginSocket(addr)
	}
	return inv.args
}

// pluginInvocation is a docker CLI plugin run, resolved.
type pluginInvocation struct {
	args []string    // xbake's own arguments
	env  [][2]string // variables to set, in order; an empty value unsets
}

// parsePluginArgs recognises a plugin run: DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND
// is set and, after the docker CLI's global flags, comes the plugin's name
// (the binary's name without "docker-"), or "__complete NAME" when the
// docker CLI asks for shell completions. It returns nil for any other run:
// xbake run directly, even as docker-xbake, is the plain CLI.
func parsePluginArgs(argv0 string, args []string, lookupEnv func(string) (string, bool)) (*pluginInvocation, error) {
	if _, ok := lookupEnv(pluginReexecEnv); !ok {
		return nil, nil
	}
	name := strings.TrimSuffix(filepath.Base(argv0), ".exe")
	if !strings.HasPrefix(name, pluginPrefix) {
		name = pluginPrefix + "xbake"
	}
	name = strings.TrimPrefix(name, pluginPrefix)
	if len(args) >= 2 && (args[0] == cobra.ShellCompRequestCmd || args[0] == cobra.ShellCompNoDescRequestCmd) && args[1] == name {
		return &pluginInvocation{args: append([]string{args[0]}, args[2:]...)}, nil
	}

	var g dockerGlobalFlags
	fs := g.flagSet()
	if err := fs.Parse(args); err != nil {
		if !slices.Contains(args, name) {
			return nil, nil // xbake's own flags: the variable leaked from a parent
		}
		return nil, fmt.Errorf("docker CLI plugin: %v (xbake understands the docker CLI's --config, --context, --host, --tls*, --debug and --log-level)", err)
	}
	rest := fs.Args()
	if len(rest) == 0 || rest[0] != name {
		return nil, nil // not a plugin run (the variable leaked from a parent)
	}
	env, err := g.env(fs)
	if err != nil {
		return nil, err
	}
	out := rest[1:]
	if g.debug || strings.EqualFold(g.logLevel, "debug") {
		out = append([]string{"--debug"}, out...)
	}
	return &pluginInvocation{args: out, env: env}, nil
}

// dockerGlobalFlags are the docker CLI's global flags (docker/cli's
// cli/flags.ClientOptions), which it passes on to a plugin in front of the
// plugin's name.
type dockerGlobalFlags struct {
	config, context, logLevel  string
	hosts                      []string
	debug, tls, tlsVerify      bool
	tlsCACert, tlsCert, tlsKey string
}

func (g *dockerGlobalFlags) flagSet() *pflag.FlagSet {
	fs := pflag.NewFlagSet("docker", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.SetInterspersed(false) // global flags end at the plugin's name
	fs.StringVar(&g.config, "config", "", "")
	fs.StringVarP(&g.context, "context", "c", "", "")
	fs.StringArrayVarP(&g.hosts, "host", "H", nil, "")
	fs.BoolVarP(&g.debug, "debug", "D", false, "")
	fs.StringVarP(&g.logLevel, "log-level", "l", "", "")
	fs.BoolVar(&g.tls, "tls", false, "")
	fs.BoolVar(&g.tlsVerify, "tlsverify", false, "")
	fs.StringVar(&g.tlsCACert, "tlscacert", "", "")
	fs.StringVar(&g.tlsCert, "tlscert", "", "")
	fs.StringVar(&g.tlsKey, "tlskey", "", "")
	return fs
}

// env maps the flags to the environment variables the docker CLI and its
// client library read, with the docker CLI's precedence: --context beats
// DOCKER_HOST, and --host beats DOCKER_CONTEXT.
func (g *dockerGlobalFlags) env(fs *pflag.FlagSet) ([][2]string, error) {
	var env [][2]string
	set := func(k, v string) { env = append(env, [2]string{k, v}) }
	if fs.Changed("config") {
		set("DOCKER_CONFIG", g.config)
	}
	if fs.Changed("context") {
		set("DOCKER_CONTEXT", g.context)
		set("DOCKER_HOST", "")
	}
	if len(g.hosts) > 0 {
		if len(g.hosts) > 1 {
			return nil, fmt.Errorf("docker CLI plugin: specify only one -H")
		}
		set("DOCKER_HOST", g.hosts[0])
		set("DOCKER_CONTEXT", "")
	}
	if fs.Changed("tlsverify") {
		set("DOCKER_TLS_VERIFY", boolEnv(g.tlsVerify))
	}
	if fs.Changed("tls") {
		set("DOCKER_TLS", boolEnv(g.tls))
	}
	// The client library takes the TLS files as one folder holding
	// ca.pem, cert.pem and key.pem.
	dir := ""
	for _, f := range []struct{ flag, path, base string }{
		{"tlscacert", g.tlsCACert, "ca.pem"},
		{"tlscert", g.tlsCert, "cert.pem"},
		{"tlskey", g.tlsKey, "key.pem"},
	} {
		if !fs.Changed(f.flag) {
			continue
		}
		d := filepath.Dir(f.path)
		if filepath.Base(f.path) != f.base || (dir != "" && d != dir) {
			return nil, fmt.Errorf("docker CLI plugin: --%s %s: xbake takes TLS files from one folder as ca.pem, cert.pem and key.pem; set DOCKER_CERT_PATH to such a folder instead", f.flag, f.path)
		}
		dir = d
	}
	if dir != "" {
		set("DOCKER_CERT_PATH", dir)
	}
	return env, nil
}

func boolEnv(b bool) string {
	if b {
		return "1"
	}
	return "" // unset: the client library tests for a non-empty value
}

// watchPluginSocket connects to the docker CLI's plugin socket and
// interrupts this process when the docker CLI closes it (it does so
// instead of forwarding SIGINT/SIGTERM when its output is not a terminal).
// A socket that cannot be reached is ignored: signals then arrive
// directly, as for a plain run.
func watchPluginSocket(addr string) {
	conn, err := net.Dial("unix", addr)
	if err != nil {
		return
	}
	go func() {
		_, _ = io.Copy(io.Discard, conn) // the docker CLI never writes
		if p, err := os.FindProcess(os.Getpid()); err == nil {
			_ = p.Signal(os.Interrupt) // not supported on Windows, where the console group gets Ctrl-C anyway
		}
	}()
}
