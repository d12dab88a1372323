package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/bake"
	"github.com/xbake/xbake/plan"
)

// bakeOptions are the flags of the main command.
type bakeOptions struct {
	files       []string
	sets        []string
	vars        []string
	print       bool
	list        string
	plan        bool
	push        bool
	load        bool
	noCache     bool
	pull        bool
	sbom        string
	provenance  string
	call        string
	check       bool
	diagnostics string
	// builderPlatforms classifies solves as native or emulated without a
	// builder (for --plan and graph).
	builderPlatforms []string
	listTargets      bool
	listFormat       string
	listVars         bool
	policy           []string
	// Verification before publishing (issue 13): --no-test skips the test
	// blocks, --no-preflight the base-image check, and --explain prints
	// the emulation advice of --plan.
	noTest, noPreflight, explain bool
	// affectedSince is --affected-since: a git revision (affected.go).
	affectedSince string

	run runOptions
	cmd *cobra.Command
}

func (o *bakeOptions) addFlags(cmd *cobra.Command) {
	o.cmd = cmd
	f := cmd.Flags()
	f.StringArrayVarP(&o.files, "file", "f", nil, "Bake definition file (repeatable; \"-\" reads stdin)")
	f.StringArrayVar(&o.sets, "set", nil, "Override a target value (for example: \"app.tags=app:dev\", \"*.platform=linux/arm64\")")
	f.StringArrayVar(&o.vars, "var", nil, "Set a variable (NAME=value); beats the environment")
	f.BoolVar(&o.print, "print", false, "Print the resolved definition as JSON, as \"docker buildx bake --print\" does, and exit")
	f.StringVar(&o.list, "list", "", "List targets or variables: targets, variables, or type=targets|variables,format=table|json")
	f.BoolVar(&o.plan, "plan", false, "Print the build plan (one node per target and platform, with dependency levels) as JSON and exit")
	f.BoolVar(&o.push, "push", false, "Shorthand for --set=*.push=true: publish image outputs")
	f.BoolVar(&o.load, "load", false, "Shorthand for --set=*.load=true: add a docker output")
	f.BoolVar(&o.noCache, "no-cache", false, "Do not use the cache (sets *.no-cache when given)")
	f.BoolVar(&o.pull, "pull", false, "Always pull referenced images (sets *.pull when given)")
	f.StringVar(&o.sbom, "sbom", "", "Shorthand for --set=*.attest=type=sbom")
	f.StringVar(&o.provenance, "provenance", "", "Shorthand for --set=*.attest=type=provenance")
	f.StringVar(&o.call, "call", "", "Set the evaluation method of every target (build, check, outline, targets)")
	f.BoolVar(&o.check, "check", false, "Shorthand for --call=check")
	f.StringVar(&o.diagnostics, "diagnostics", "auto", "How to print errors in the definition: auto, compact, rich or json")
	f.StringArrayVar(&o.policy, "policy", nil, `Policy evaluation options for every target ("[disabled=true|false][,strict=true|false][,log-level=level]")`)
	// Hidden deprecated aliases that buildx still accepts.
	f.BoolVar(&o.listTargets, "list-targets", false, "List targets (deprecated: use --list=targets)")
	f.BoolVar(&o.listVars, "list-variables", false, "List variables (deprecated: use --list=variables)")
	_ = f.MarkHidden("list-targets")
	_ = f.MarkHidden("list-variables")
	f.StringVar(&o.affectedSince, "affected-since", "", "Only the targets whose inputs (files, Dockerfile, definition) changed since this git revision, and their dependents")
	f.StringSliceVar(&o.builderPlatforms, "builder-platforms", nil, "Platforms the builder runs natively, for --plan without a builder (for example linux/amd64)")
	f.BoolVar(&o.noTest, "no-test", false, "Do not run the test blocks (smoke tests) in the built images before publishing them")
	f.BoolVar(&o.noPreflight, "no-preflight", false, "Do not look base images up in their registries before building (a client that cannot reach them)")
	f.BoolVar(&o.explain, "explain", false, "With --plan: print which RUN steps run under QEMU and how to cross-compile them, instead of the plan (on the nodes of --builder or --builders, else on --builder-platforms, else on this machine's platform)")
}

// overrides turns the convenience flags into --set values, after the
// user's own, as buildx does.
func (o *bakeOptions) overrides() []string {
	out := append([]string(nil), o.sets...)
	if o.push {
		out = append(out, "*.push=true")
	}
	if o.load {
		out = append(out, "*.load=true")
	}
	for _, p := range o.policy {
		out = append(out, "*.policy+="+p)
	}
	if name := o.callName(); name != "" {
		out = append(out, "*.call="+name)
	}
	if o.cmd.Flags().Changed("no-cache") {
		out = append(out, "*.no-cache="+strconv.FormatBool(o.noCache))
	}
	if o.cmd.Flags().Changed("pull") {
		out = append(out, "*.pull="+strconv.FormatBool(o.pull))
	}
	if o.sbom != "" {
		out = append(out, "*.attest="+canonicalAttest("sbom", o.sbom))
	}
	if o.provenance != "" {
		out = append(out, "*.attest="+canonicalAttest("provenance", o.provenance))
	}
	return out
}

// checkPolicy validates --policy as buildx does: no filename or reset
// (those belong in the definition), and disabled=true stands alone and
// disables every target's policies.
func (o *bakeOptions) checkPolicy() (disable bool, err error) {
	for _, p := range o.policy {
		pol, err := bake.ParsePolicy(p)
		if err != nil {
			return false, usageErrorf("invalid --policy %q: %v", p, err)
		}
		if pol.Filename != "" {
			return false, usageErrorf("--policy does not accept filename; define policy files in the bake definition")
		}
		if pol.Reset != nil && *pol.Reset {
			return false, usageErrorf("--policy does not accept reset; define policy composition in the bake definition")
		}
		if pol.Disabled != nil && *pol.Disabled {
			if pol.Strict != nil || pol.LogLevel != "" || len(o.policy) > 1 {
				return false, usageErrorf("--policy disabled=true cannot be combined with other policy options")
			}
			disable = true
		}
	}
	return disable, nil
}

// callName is the method of --call (its first CSV field; format= and
// ignorestatus= are options of the result printing), as buildx stores it:
// "check" is "lint", and "build" means none.
func (o *bakeOptions) callName() string {
	call := o.call
	if o.check {
		call = "check"
	}
	name := ""
	for _, f := range strings.Split(call, ",") {
		if f = strings.TrimSpace(f); f != "" && !strings.Contains(f, "=") {
			name = f
			break
		}
	}
	switch name {
	case "check":
		return "lint"
	case "build":
		return ""
	}
	return name
}

// canonicalAttest turns --sbom=true/false or --sbom=k=v into an attest.
func canonicalAttest(typ, v string) string {
	if b, err := strconv.ParseBool(v); err == nil {
		return fmt.Sprintf("type=%s,disabled=%t", typ, !b)
	}
	return fmt.Sprintf("type=%s,%s", typ, v)
}

func parseVars(vars []string) (map[string]string, error) {
	out := map[string]string{}
	for _, v := range vars {
		if v == "" {
			continue
		}
		k, val, ok := strings.Cut(v, "=")
		if !ok {
			return nil, fmt.Errorf("invalid --var %q: use NAME=value", v)
		}
		if k == "" {
			return nil, fmt.Errorf("invalid --var %q: the name is empty", v)
		}
		out[k] = val
	}
	return out, nil
}

// readsOnly reports whether the command only shows the definition or its
// plan (--print, --list, --plan): nothing is built. After checkModes.
func (o *bakeOptions) readsOnly() bool {
	return o.print || o.list != "" || o.plan
}

// needsEngine reports whether the command needs what only the full build
// links (engine.go): a build; a --plan that connects to a builder's nodes,
// asks the registry (--skip-unchanged) or reads Dockerfiles with BuildKit's
// parser to classify solves (--builder-platforms, --explain). After
// checkModes.
func (o *bakeOptions) needsEngine() bool {
	switch {
	case o.print || o.list != "":
		return false
	case o.plan:
		return o.run.builder != "" || o.run.builders != "" || o.run.skipUnchanged || o.explain || len(o.builderPlatforms) > 0
	}
	return true
}

// offlineRequest plans without a builder: the local platform is the
// default, and --builder-platforms classifies solves.
func (o *bakeOptions) offlineRequest() plan.Request {
	return plan.Request{
		DefaultPlatform:  platforms.Format(platforms.Normalize(platforms.DefaultSpec())),
		BuilderPlatforms: o.builderPlatforms,
	}
}
