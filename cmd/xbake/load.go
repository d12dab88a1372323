package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/containerd/platforms"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
)

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
			code := exitFailure
			if errors.As(err, new(badDefinition)) {
				code = exitUsage
			}
			return nil, &exitError{code: code, msg: bake.RedactURL(err.Error())}
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
