package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/xbake/xbake/bake"
)

func newCompletionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "completion bash|zsh|fish",
		Short: "Print a shell completion script",
		Long: `Print a shell completion script. It completes commands, flags and their
values, and target and group names from the bake files the command line
names (-f) or finds, as --list shows them; completing reads those files
only: it needs no builder and no network.`,
		Example: `  # bash, for the current shell
  source <(xbake completion bash)

  # zsh, installed once
  xbake completion zsh > "${fpath[1]}/_xbake"

  # fish
  xbake completion fish > ~/.config/fish/completions/xbake.fish`,
		Args:      cobra.ExactArgs(1),
		ValidArgs: []string{"bash", "zsh", "fish"},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			switch args[0] {
			case "bash":
				return cmd.Root().GenBashCompletionV2(out, true)
			case "zsh":
				return cmd.Root().GenZshCompletion(out)
			case "fish":
				return cmd.Root().GenFishCompletion(out, true)
			}
			return usageErrorf("unknown shell %q: use bash, zsh or fish", args[0])
		},
	}
}

// addCompletions completes the positional targets of cmd (the root
// command or graph) and the values of its flags that have a fixed set.
func (a *app) addCompletions(cmd *cobra.Command, o *bakeOptions) {
	cmd.ValidArgsFunction = a.completeTargets(o)
	_ = cmd.MarkFlagFilename("file", "hcl", "json", "yml", "yaml")
	fixed := map[string][]string{
		"progress":    {"auto", "tty", "plain", "rawjson", "quiet", "none"},
		"diagnostics": {"auto", "compact", "rich", "json"},
		"list":        {"targets", "variables", "type=targets,format=json", "type=variables,format=json"},
		"call":        {"build", "check", "outline", "targets"},
	}
	for _, flag := range slices.Sorted(maps.Keys(fixed)) {
		if cmd.Flags().Lookup(flag) != nil {
			_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(fixed[flag], cobra.ShellCompDirectiveNoFileComp))
		}
	}
}

// completeTargets offers the names --list shows (targets and groups, no
// "_" names), from the files -f names or the default ones, that start
// with what is typed and are not on the command line yet. It only reads
// local files: a remote definition and stdin ("-f -") complete nothing,
// and an invalid definition completes nothing, silently.
func (a *app) completeTargets(o *bakeOptions) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		const directive = cobra.ShellCompDirectiveNoFileComp
		if defURL, _, _ := remoteArgs(args); defURL != "" || slices.Contains(o.files, "-") {
			return nil, directive
		}
		quiet := *a
		quiet.stdin, quiet.stderr, quiet.debug = strings.NewReader(""), io.Discard, false
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		l, err := quiet.load(ctx, o, nil)
		if err != nil || l.diags.HasErrors() {
			return nil, directive
		}
		var buf bytes.Buffer
		if _, err := l.cfg.WriteList(&buf, bake.ListRequest{Type: "targets", Format: "json"}); err != nil {
			return nil, directive
		}
		var entries []struct {
			Name        string `json:"name"`
			Description string `json:"description"`
			Group       bool   `json:"group"`
		}
		if err := json.Unmarshal(buf.Bytes(), &entries); err != nil {
			return nil, directive
		}
		var out []cobra.Completion
		seen := map[string]bool{} // a target and a group of one name: once
		for _, e := range entries {
			if seen[e.Name] || !strings.HasPrefix(e.Name, toComplete) || slices.Contains(args, e.Name) {
				continue
			}
			seen[e.Name] = true
			desc := e.Description
			if e.Group {
				desc = strings.TrimSuffix("group: "+desc, ": ")
			}
			if desc == "" {
				out = append(out, e.Name)
			} else {
				out = append(out, cobra.CompletionWithDesc(e.Name, desc))
			}
		}
		return out, directive
	}
}
