package main

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/hashicorp/hcl/v2"
	"github.com/spf13/cobra"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
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

// loaded is a definition read from the command line's files and flags,
// with the problems found so far (printed all at once at the end).
type loaded struct {
	// targets are the positional arguments left after a remote definition
	// URL (and a BAKE_CMD_CONTEXT URL) are taken off.
	targets []string
	// gitURL is the repository a remote definition came from.
	gitURL  string
	cfg     *bake.Config
	printer *diagPrinter
	diags   hcl.Diagnostics
	// files, vars, cmdContext and allowRead are what cfg was loaded
	// from, to load the definition again as it was at a git revision
	// (--affected-since).
	files      []xhcl.File
	vars       map[string]string
	cmdContext string
	allowRead  func(string) bool
	// req is what resolve asked for.
	req bake.Request
}

// load reads and loads the definition. Files that cannot be read or
// parsed end it early (printed, exit code 2); other problems are kept in
// loaded.diags so that resolution can report its own alongside them.
func (a *app) load(ctx context.Context, o *bakeOptions, args []string) (*loaded, error) {
	switch o.diagnostics {
	case "", "auto", xhcl.FormatCompact, xhcl.FormatRich, xhcl.FormatJSON:
	default:
		return nil, usageErrorf("invalid --diagnostics %q: use auto, compact, rich or json", o.diagnostics)
	}
	vars, err := parseVars(o.vars)
	if err != nil {
		return nil, usageErrorf("%v", err)
	}
	defURL, cmdContext, targets := remoteArgs(args)
	var files []xhcl.File
	var gitURL string
	var names []string
	var allowRead func(string) bool
	if defURL != "" {
		remote, local := splitRemote(o.files)
		// Not abandonable: it cleans up a temporary directory, and stops
		// on cancellation by itself.
		if files, gitURL, err = a.remoteDefinition(ctx, defURL, remote); err != nil {
			// Messages quote the URL, and so does git's output.
			return nil, &exitError{code: exitFailure, msg: bake.RedactURL(err.Error())}
		}
		if len(files) == 0 && len(local) == 0 {
			return nil, usageErrorf("couldn't find a bake definition in %s", bake.RedactURL(defURL))
		}
		// The cwd:// names are read locally; a remote definition reads
		// no other local file without --allow.
		names, allowRead = local, remoteReadAllowed(o.run.allow)
	} else {
		var explicit bool
		if names, explicit, err = a.definitionFiles(o.files); err != nil {
			return nil, usageErrorf("%v", err)
		}
		a.debugf("definition files: %s", strings.Join(names, ", "))
		if len(names) == 0 && !explicit {
			return nil, usageErrorf("couldn't find a bake definition: no -f given and none of %s exists here", strings.Join(defaultFiles, ", "))
		}
		// Before stdin is read: the engine reads it instead.
		if slices.ContainsFunc(names, mayBeCompose) {
			if err := a.toEngine(); err != nil {
				return nil, err
			}
		}
	}
	return abandonable(ctx, func() (*loaded, error) {
		lf, err := a.readFiles(names)
		if err != nil {
			return nil, usageErrorf("%v", err)
		}
		l, err := a.parse(append(files, lf...), vars, cmdContext, o.diagnostics, allowRead)
		if err != nil {
			return nil, err
		}
		l.targets, l.gitURL = targets, gitURL
		return l, nil
	})
}

// parse parses and loads the definition files (HCL, JSON and Compose),
// printing what stops loading.
func (a *app) parse(files []xhcl.File, vars map[string]string, cmdContext, format string, allowRead func(string) bool) (*loaded, error) {
	dp := &diagPrinter{a: a, format: format}
	cfg, byName, diags, ok := a.loadConfig(files, vars, cmdContext, allowRead)
	dp.files = byName
	if !ok {
		return nil, dp.print(diags)
	}
	return &loaded{cfg: cfg, printer: dp, diags: diags, files: files, vars: vars, cmdContext: cmdContext, allowRead: allowRead}, nil
}

// loadConfig is parse without printing, also for the definition at a git
// revision (--affected-since); ok is false when the files cannot be
// loaded at all (diags says why). byName are the files for snippets in
// rich diagnostics.
func (a *app) loadConfig(files []xhcl.File, vars map[string]string, cmdContext string, allowRead func(string) bool) (_ *bake.Config, byName map[string]*hcl.File, _ hcl.Diagnostics, ok bool) {
	var composeFiles, hclFiles []xhcl.File
	for _, f := range files {
		if isComposeFile(f.Name, f.Data) {
			composeFiles = append(composeFiles, f)
		} else {
			hclFiles = append(hclFiles, f)
		}
	}
	parsed, byName, diags := xhcl.Parse(hclFiles)
	for _, f := range composeFiles {
		byName[f.Name] = &hcl.File{Bytes: f.Data} // for snippets in rich output
	}
	if diags.HasErrors() {
		return nil, byName, diags, false
	}
	opts := bake.Options{
		Vars: vars,
		Builtins: map[string]string{
			"BAKE_CMD_CONTEXT":    cmdContext,
			"BAKE_LOCAL_PLATFORM": platforms.Format(platforms.DefaultSpec()),
		},
	}
	if a.envLookupAllowed() {
		opts.LookupEnv = a.lookupEnv
	}
	if len(composeFiles) > 0 {
		cc, d := loadCompose(a, composeFiles, vars, opts.LookupEnv, allowRead)
		diags = append(diags, d...)
		if d.HasErrors() {
			return nil, byName, diags, false
		}
		opts.Compose = cc
	}
	cfg, d := bake.Load(parsed, opts)
	return cfg, byName, append(diags, d...), true
}

// envBool reads a boolean environment variable; unset or empty is false.
func (a *app) envBool(name string) (bool, error) {
	v := strings.TrimSpace(a.getenv(name))
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s=%q: use true or false", name, v)
	}
	return b, nil
}

// envLookupAllowed is false when BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP is true.
func (a *app) envLookupAllowed() bool {
	b, err := strconv.ParseBool(a.getenv("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP"))
	return err != nil || !b
}

type resolution struct {
	def   *bake.Definition
	diags hcl.Diagnostics
}

// resolve loads the definition and resolves the requested targets.
func (a *app) resolve(ctx context.Context, o *bakeOptions, args []string) (*loaded, *bake.Definition, error) {
	l, err := a.load(ctx, o, args)
	if err != nil {
		return nil, nil, err
	}
	disablePolicy, err := o.checkPolicy()
	if err != nil {
		return nil, nil, err
	}
	if disablePolicy {
		o.policy = nil
	}
	req, err := a.bakeRequest(o, l, disablePolicy)
	if err != nil {
		return nil, nil, err
	}
	l.req = req
	def, diags, err := resolveDef(ctx, l.cfg, req)
	if err != nil {
		return nil, nil, err
	}
	l.diags = append(l.diags, diags...)
	if err := l.printer.print(l.diags); err != nil {
		return nil, nil, err
	}
	l.diags = nil
	return l, def, nil
}

// resolveDef resolves req, abandoned when ctx ends (a signal).
func resolveDef(ctx context.Context, cfg *bake.Config, req bake.Request) (*bake.Definition, hcl.Diagnostics, error) {
	r, err := abandonable(ctx, func() (resolution, error) {
		def, diags := cfg.Resolve(req)
		return resolution{def, diags}, nil
	})
	return r.def, r.diags, err
}

// bakeRequest is what resolution is asked for: the requested names, the
// overrides and what the environment adds.
func (a *app) bakeRequest(o *bakeOptions, l *loaded, disablePolicy bool) (bake.Request, error) {
	relative, err := a.envBool("BUILDX_BAKE_FILE_RELATIVE_PATHS")
	if err != nil {
		return bake.Request{}, usageErrorf("%v", err)
	}
	req := bake.Request{
		Targets:           l.targets,
		RemoteURL:         l.gitURL,
		Overrides:         o.overrides(),
		SourceDateEpoch:   a.getenv("SOURCE_DATE_EPOCH"),
		FileRelativePaths: relative,
		DisablePolicy:     disablePolicy,
		StatFile: func(p string) error {
			_, err := os.Stat(a.path(p))
			return unwrapPathError(err)
		},
	}
	if a.envLookupAllowed() {
		req.LookupEnv = a.lookupEnv
	}
	return req, nil
}

func runBake(ctx context.Context, a *app, o *bakeOptions, targets []string) error {
	onBuilders := o.plan && (o.run.builder != "" || o.run.builders != "")
	if o.readsOnly() && !onBuilders {
		offlineGC()
	}
	if o.needsEngine() {
		// The front build hands it over before it reads or prints
		// anything, so that the engine's warnings are not printed twice.
		if err := a.toEngine(); err != nil {
			return err
		}
	}
	if o.list == "" && o.listTargets {
		o.list = "targets"
	}
	if o.list == "" && o.listVars {
		o.list = "variables"
	}
	if o.listFormat != "" && o.list == "" {
		return usageErrorf("--format applies to --list; use xbake graph --format for graphs")
	}
	if o.print && o.list != "" {
		return usageErrorf("--print and --list are mutually exclusive")
	}
	if o.run.skipUnchanged && (o.print || o.list != "") {
		return usageErrorf("--skip-unchanged applies to builds and --plan, not to --print or --list")
	}
	if o.list != "" {
		lr, err := bake.ParseList(o.list)
		if err != nil {
			return usageErrorf("%v", err)
		}
		if o.listFormat != "" {
			if o.listFormat != "table" && o.listFormat != "json" {
				return usageErrorf("invalid --format %q: use table or json", o.listFormat)
			}
			lr.Format = o.listFormat
		}
		l, err := a.load(ctx, o, targets)
		if err != nil {
			return err
		}
		if l.diags.HasErrors() {
			return l.printer.print(l.diags)
		}
		if o.affectedSince != "" && lr.Type == "targets" {
			if lr.Only, err = a.affectedList(ctx, o, l); err != nil {
				return err
			}
		}
		diags, err := abandonable(ctx, func() (hcl.Diagnostics, error) {
			return l.cfg.WriteList(a.stdout, lr)
		})
		if err != nil {
			return err
		}
		return l.printer.print(append(l.diags, diags...))
	}
	l, def, err := a.resolve(ctx, o, targets)
	if err != nil {
		return err
	}
	if o.affectedSince != "" {
		if def, err = a.affectedSince(ctx, o, l, def); err != nil {
			return err
		}
	}
	if o.print {
		// buildx rejects bad `target:` links before it prints; the rules
		// are the planner's.
		if err := l.printer.print(plan.CheckLinks(def)); err != nil {
			return err
		}
		return def.WritePrint(a.stdout)
	}
	if o.explain && !o.plan {
		return usageErrorf("--explain applies to --plan: xbake --plan --explain [TARGET...]")
	}
	// Checked for builds and --plan, never for --print: buildx ignores
	// test blocks.
	tests, diags := l.cfg.Tests(def)
	if err := l.printer.print(diags); err != nil {
		return err
	}
	if !o.noTest {
		def.Tests = tests
	}
	newPlan := func(req plan.Request) (*plan.Plan, error) {
		req.Atomic = o.run.atomic
		// With --skip-unchanged the first plan is a draft that names the
		// solves to hash (skip.go); the plan that runs is made again with
		// what the registry has (req.Inputs), and only that one reads
		// Dockerfiles, prints its warnings and checks base images, so
		// that a skipped solve costs none of it.
		draft := o.run.skipUnchanged && !o.explain && req.Inputs == nil
		if !draft {
			if err := a.addDockerfiles(&req); err != nil {
				return nil, err
			}
		}
		p, diags := plan.New(def, req)
		if draft && !diags.HasErrors() {
			diags = nil
		}
		if err := l.printer.print(diags); err != nil {
			return nil, err
		}
		// Before anything is built: the base images have the platforms
		// they are pulled for.
		if !o.noPreflight && !draft {
			if err := a.checkImages(ctx, p, l.printer); err != nil {
				return nil, err
			}
		}
		return p, nil
	}
	if onBuilders {
		// Where each solve would run: the builder's nodes answer first.
		return planOnBuilders(ctx, a, o, newPlan)
	}
	if o.plan {
		req := o.offlineRequest()
		if o.explain && len(req.BuilderPlatforms) == 0 {
			req.BuilderPlatforms = []string{req.DefaultPlatform}
		}
		p, err := newPlan(req)
		if err != nil {
			return err
		}
		if o.explain {
			return writeExplain(a.stdout, p, req.BuilderPlatforms)
		}
		if o.run.skipUnchanged {
			if p, err = a.planUnchanged(ctx, &o.run, p, req, newPlan); err != nil {
				return err
			}
		}
		return p.WriteJSON(a.stdout)
	}
	if len(def.Targets) == 0 && o.affectedSince != "" {
		fmt.Fprintf(a.stderr, "xbake: no target is affected since %s: nothing to build\n", o.affectedSince)
		return nil
	}
	return runBuild(ctx, a, &o.run, def, newPlan)
}

// readsOnly reports whether the command only shows the definition or its
// plan (--print, --list, --plan): nothing is built.
func (o *bakeOptions) readsOnly() bool {
	return o.print || o.list != "" || o.listTargets || o.listVars || o.plan
}

// needsEngine reports whether the command needs what only the full build
// links (engine.go): a build; a --plan that connects to a builder's nodes,
// asks the registry (--skip-unchanged) or reads Dockerfiles with BuildKit's
// parser to classify solves (--builder-platforms, --explain).
func (o *bakeOptions) needsEngine() bool {
	if !o.readsOnly() {
		return true
	}
	if o.print || o.list != "" || o.listTargets || o.listVars {
		return false
	}
	return o.run.builder != "" || o.run.builders != "" || o.run.skipUnchanged || o.explain || len(o.builderPlatforms) > 0
}

// offlineGC makes the commands that only read the definition (--print,
// --list, --plan, graph) collect garbage more often: they build one large,
// short-lived heap, and a lower peak matters more than a few milliseconds
// (the 5,000-target --print peaks at 56 MB instead of 61).
func offlineGC() { debug.SetGCPercent(50) }

// offlineRequest plans without a builder: the local platform is the
// default, and --builder-platforms classifies solves.
func (o *bakeOptions) offlineRequest() plan.Request {
	return plan.Request{
		DefaultPlatform:  platforms.Format(platforms.Normalize(platforms.DefaultSpec())),
		BuilderPlatforms: o.builderPlatforms,
	}
}
