package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParsePluginArgs(t *testing.T) {
	const bin = "/root/.docker/cli-plugins/docker-xbake"
	tests := []struct {
		name    string
		argv0   string
		args    []string
		plugin  bool // DOCKER_CLI_PLUGIN_ORIGINAL_CLI_COMMAND set
		want    *pluginInvocation
		wantErr string
	}{{
		name: "run directly",
		args: []string{"xbake", "--print"},
		want: nil,
	}, {
		name: "run directly as docker-xbake",
		args: []string{"--print"}, plugin: false,
		want: nil,
	}, {
		name: "docker xbake", plugin: true,
		args: []string{"xbake", "--print", "app"},
		want: &pluginInvocation{args: []string{"--print", "app"}},
	}, {
		name: "config and context", plugin: true,
		args: []string{"--config", "/cfg", "-c", "ctx", "xbake", "imagetools", "inspect", "r"},
		want: &pluginInvocation{args: []string{"imagetools", "inspect", "r"}, env: [][2]string{
			{"DOCKER_CONFIG", "/cfg"}, {"DOCKER_CONTEXT", "ctx"}, {"DOCKER_HOST", ""},
		}},
	}, {
		name: "equals and joined shorthand forms", plugin: true,
		args: []string{"--config=/cfg", "-Dcctx", "xbake"},
		want: &pluginInvocation{args: []string{"--debug"}, env: [][2]string{
			{"DOCKER_CONFIG", "/cfg"}, {"DOCKER_CONTEXT", "ctx"}, {"DOCKER_HOST", ""},
		}},
	}, {
		name: "host and TLS", plugin: true,
		args: []string{"-H", "tcp://10.0.0.1:2376", "--tlsverify", "--tlscacert", "/certs/ca.pem", "--tlscert", "/certs/cert.pem", "--tlskey=/certs/key.pem", "xbake", "app"},
		want: &pluginInvocation{args: []string{"app"}, env: [][2]string{
			{"DOCKER_HOST", "tcp://10.0.0.1:2376"}, {"DOCKER_CONTEXT", ""}, {"DOCKER_TLS_VERIFY", "1"}, {"DOCKER_CERT_PATH", "/certs"},
		}},
	}, {
		name: "tls off", plugin: true,
		args: []string{"--tls=false", "xbake"},
		want: &pluginInvocation{args: []string{}, env: [][2]string{{"DOCKER_TLS", ""}}},
	}, {
		name: "debug", plugin: true,
		args: []string{"-D", "xbake", "app"},
		want: &pluginInvocation{args: []string{"--debug", "app"}},
	}, {
		name: "log level debug", plugin: true,
		args: []string{"--log-level", "debug", "xbake", "app"},
		want: &pluginInvocation{args: []string{"--debug", "app"}},
	}, {
		name: "log level info", plugin: true,
		args: []string{"-l", "info", "xbake", "app"},
		want: &pluginInvocation{args: []string{"app"}},
	}, {
		name: "completion", plugin: true,
		args: []string{"__complete", "xbake", "-f", "a.hcl", ""},
		want: &pluginInvocation{args: []string{"__complete", "-f", "a.hcl", ""}},
	}, {
		name: "completion without descriptions", plugin: true,
		args: []string{"__completeNoDesc", "xbake", "ap"},
		want: &pluginInvocation{args: []string{"__completeNoDesc", "ap"}},
	}, {
		name: "installed under another name", plugin: true,
		argv0: "/usr/libexec/docker/cli-plugins/docker-bakery.exe",
		args:  []string{"bakery", "app"},
		want:  &pluginInvocation{args: []string{"app"}},
	}, {
		name: "the variable leaked from a parent", plugin: true,
		args: []string{"app", "--print"},
		want: nil,
	}, {
		name: "the variable leaked, with xbake's own flags", plugin: true,
		args: []string{"--print", "-f", "x.hcl"},
		want: nil,
	}, {
		name: "unknown global flag", plugin: true,
		args:    []string{"--frobnicate", "xbake"},
		wantErr: "docker CLI plugin: unknown flag: --frobnicate (xbake understands the docker CLI's --config, --context, --host, --tls*, --debug and --log-level)",
	}, {
		name: "two hosts", plugin: true,
		args:    []string{"-H", "unix:///a.sock", "-H", "unix:///b.sock", "xbake"},
		wantErr: "docker CLI plugin: specify only one -H",
	}, {
		name: "TLS files not in the folder layout", plugin: true,
		args:    []string{"--tlscert", "/certs/client.pem", "xbake"},
		wantErr: "docker CLI plugin: --tlscert /certs/client.pem: xbake takes TLS files from one folder as ca.pem, cert.pem and key.pem; set DOCKER_CERT_PATH to such a folder instead",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			argv0 := tt.argv0
			if argv0 == "" {
				argv0 = bin
			}
			lookup := func(k string) (string, bool) {
				if k == pluginReexecEnv && tt.plugin {
					return "docker", true
				}
				return "", false
			}
			got, err := parsePluginArgs(argv0, tt.args, lookup)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(pluginInvocation{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// The metadata answer, exactly as the docker CLI decodes it.
func TestPluginMetadata(t *testing.T) {
	code, stdout, stderr := runCLI(t, t.TempDir(), nil, "docker-cli-plugin-metadata")
	want := `{
     "SchemaVersion": "0.1.0",
     "Vendor": "xbake",
     "Version": "` + currentBuild().Version + `",
     "ShortDescription": "Build multi-platform images from bake files, per platform and in parallel",
     "URL": "https://github.com/xbake/xbake"
}
`
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if diff := cmp.Diff(want, stdout); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
