package compose

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/consts"
	"github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	composeschema "github.com/compose-spec/compose-go/v2/schema"
	"github.com/compose-spec/compose-go/v2/template"
	composetypes "github.com/compose-spec/compose-go/v2/types"
	"github.com/hashicorp/hcl/v2"

	"github.com/xbake/xbake/bake"
	xhcl "github.com/xbake/xbake/hcl"
	"github.com/xbake/xbake/localfile"
)

// Compose files are read the way buildx reads them (its bake/compose.go):
// the files are merged by compose-go with Compose override semantics, only
// the keys bake uses are kept and validated, and every service with a build
// section becomes a target of the same name in group "default".

// Options are the inputs of Load that do not come from the files.
type Options struct {
	// Dir is the working directory: .env is read from it, and relative
	// env_file paths are resolved against it.
	Dir string
	// Vars are --var NAME=value values; they win over everything else.
	Vars map[string]string
	// LookupEnv reads the environment; nil disables it
	// (BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP).
	LookupEnv func(string) (string, bool)
	// AllowRead, when set, decides which env_file files may be read: a
	// remote definition's Compose file reads them from the local disk, so
	// each needs --allow fs.read (see checkEnvFiles).
	AllowRead func(path string) bool
	// Environ lists the environment as NAME=value strings, for the names
	// only: Compose needs the whole environment as a map (a bare
	// `environment: [NAME]` entry and env_file interpolation look names up
	// in it), and the values are read through LookupEnv. nil means
	// os.Environ. Unused when LookupEnv is nil.
	Environ func() []string
}

// composeServiceKeys are the only service keys bake reads; the others
// (ports, depends_on, ...) are dropped before validation, so a file that
// Compose itself would reject for them still builds.
var composeServiceKeys = []string{"image", "build", "environment", "env_file"}

// Load reads Compose files into bake targets and groups. The result is
// meant for bake.Options.Compose. It reports every problem it finds;
// the targets of the services that mapped cleanly are returned even when
// there are errors, but callers should not build from them.
func Load(files []xhcl.File, opts Options) (*bake.ComposeConfig, hcl.Diagnostics) {
	if len(files) == 0 {
		return &bake.ComposeConfig{}, nil
	}
	if d := composeSize(files); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	loc := newComposeLocator(files)
	if rng, ok := loc.aliasCycle(); ok {
		return nil, hcl.Diagnostics{xhcl.Errorf(&rng, "Invalid Compose file",
			"This YAML alias refers to a node that contains it, which makes the document infinitely deep. Point it at an anchor outside that node.")}
	}
	if d := loc.checkLimits(); d != nil {
		return nil, hcl.Diagnostics{d}
	}
	env, err := composeEnv(opts)
	if err != nil {
		return nil, hcl.Diagnostics{dotEnvError(opts.Dir, err)}
	}
	if diags := emptyComposeFiles(files, env); diags.HasErrors() {
		return nil, diags
	}
	miss := &missingVars{}
	project, err := loadComposeProject(files, env, opts.Dir, miss, opts.AllowRead)
	diags := miss.diagnostics(loc)
	var envErr *envFileError
	if errors.As(err, &envErr) {
		return nil, append(diags, envErr.diag(loc))
	}
	if err != nil {
		return nil, append(diags, loc.errorDiag(err))
	}
	cfg, d := composeTargets(project, loc)
	return cfg, append(diags, d...)
}

// IsFile reports whether a definition file is a Compose file, as
// buildx decides it: by name for .yml/.yaml (Compose) and .json/.hcl (not
// Compose); any other name, and stdin, is Compose when it loads as a
// Compose file. Variables are interpolated from an empty environment
// here: the real environment only matters once the file is known to be
// Compose.
func IsFile(name string, data []byte) (ok bool) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yml", ".yaml":
		return true
	case ".json", ".hcl":
		return false
	}
	files := []xhcl.File{{Name: name, Data: data}}
	if composeSize(files) != nil {
		// Too large for compose-go: Compose if it says so, and then
		// LoadCompose reports the limit.
		return looksLikeCompose(data)
	}
	loc := newComposeLocator(files)
	if _, cyclic := loc.aliasCycle(); cyclic {
		return false
	}
	if loc.checkLimits() != nil {
		return looksLikeCompose(data)
	}
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	model, err := loadComposeModel(context.Background(), files, composetypes.Mapping{}, nil)
	if err != nil {
		return false
	}
	// Consistency (undefined secrets, ...) is checked once all the Compose
	// files are merged, as in buildx.
	details := composetypes.ConfigDetails{ConfigFiles: composeConfigFiles(files), Environment: composetypes.Mapping{}}
	_, err = loader.ModelToProject(model, loader.ToOptions(&details, []func(*loader.Options){func(o *loader.Options) {
		o.SkipNormalization = true
		o.SkipConsistencyCheck = true
		o.Profiles = []string{"*"}
	}}), details)
	return err == nil
}

// composeEnv builds the interpolation environment in buildx's order of
// precedence: --var values, then the OS environment, then .env in the
// working directory (which only adds names that are not set).
func composeEnv(opts Options) (composetypes.Mapping, error) {
	env := composetypes.Mapping{}
	if opts.LookupEnv != nil {
		environ := opts.Environ
		if environ == nil {
			environ = os.Environ
		}
		for _, kv := range environ() {
			name, _, _ := strings.Cut(kv, "=")
			if name == "" {
				continue
			}
			if v, ok := opts.LookupEnv(name); ok {
				env[name] = v
			}
		}
	}
	dotEnv, err := readDotEnv(opts.Dir, env)
	if err != nil {
		return nil, err
	}
	for k, v := range dotEnv {
		if _, set := env[k]; !set {
			env[k] = v
		}
	}
	maps.Copy(env, opts.Vars)
	return env, nil
}

// readDotEnv reads dir/.env, interpolating its values from env. A missing
// file (or a directory of that name) is no .env.
func readDotEnv(dir string, env composetypes.Mapping) (map[string]string, error) {
	name := filepath.Join(dir, ".env")
	st, err := os.Stat(name)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, nil
	}
	data, err := localfile.Read(name, maxEnvFile)
	if err != nil {
		return nil, err
	}
	return dotenv.UnmarshalBytesWithLookup(data, func(k string) (string, bool) {
		v, ok := env[k]
		return v, ok
	})
}

func dotEnvError(dir string, err error) *hcl.Diagnostic {
	name := filepath.ToSlash(filepath.Join(dir, ".env"))
	rng := hcl.Range{Filename: name, Start: hcl.InitialPos, End: hcl.InitialPos}
	why := fmt.Sprintf("cannot be read: %v", err)
	if le, ok := err.(*localfile.Error); ok {
		why = le.Reason()
	}
	return xhcl.Errorf(&rng, "Invalid .env file",
		"Compose files are interpolated with the variables of %s, which %s. Fix the file (NAME=value lines) or remove it.", name, why)
}

// loadComposeProject loads, filters and validates the files as buildx
// does, and returns the project.
func loadComposeProject(files []xhcl.File, env composetypes.Mapping, dir string, miss *missingVars, allowRead func(string) bool) (_ *composetypes.Project, err error) {
	defer recoverCompose(&err)
	ctx := context.Background()
	filtered, err := loadComposeModel(ctx, files, env, miss)
	if err != nil {
		return nil, err
	}
	resolveEnvFiles(filtered, dir)
	if err := checkEnvFiles(filtered, allowRead); err != nil {
		return nil, err
	}
	details := composetypes.ConfigDetails{ConfigFiles: composeConfigFiles(files), Environment: env}
	return loader.ModelToProject(filtered, loader.ToOptions(&details, []func(*loader.Options){func(o *loader.Options) {
		o.SkipNormalization = true
		o.Profiles = []string{"*"}
	}}), details)
}

// loadComposeModel returns the merged model of the files, keeping only the
// service keys bake reads and the top-level secrets, validated against the
// Compose schema. miss collects unset variables; nil ignores them.
func loadComposeModel(ctx context.Context, files []xhcl.File, env composetypes.Mapping, miss *missingVars) (map[string]any, error) {
	details := composetypes.ConfigDetails{ConfigFiles: composeConfigFiles(files), Environment: env}
	raw, err := loader.LoadModelWithContext(ctx, details, func(o *loader.Options) {
		name := "bake"
		if v := env[consts.ComposeProjectName]; v != "" {
			name = v
		}
		o.SetProjectName(name, false)
		o.SkipNormalization = true
		o.SkipValidation = true
		o.Interpolate.Substitute = miss.substitute
	})
	if err != nil {
		return nil, err
	}
	filtered := map[string]any{}
	if services, ok := raw["services"].(map[string]any); ok {
		out := make(map[string]any, len(services))
		for name, svc := range services {
			kept := map[string]any{}
			if m, ok := svc.(map[string]any); ok {
				for _, k := range composeServiceKeys {
					if v, ok := m[k]; ok {
						kept[k] = v
					}
				}
			} else if svc != nil {
				continue // not a mapping: left out, as buildx does
			}
			out[name] = kept
		}
		filtered["services"] = out
	}
	if v, ok := raw["secrets"]; ok {
		filtered["secrets"] = v
	}
	if len(filtered) == 0 {
		return nil, errEmptyCompose
	}
	if services, ok := filtered["services"].(map[string]any); ok {
		for _, name := range slices.Sorted(maps.Keys(services)) {
			if target := bake.ComposeTargetName(name); !bake.ValidName(target) {
				return nil, &invalidServiceName{name: name}
			}
		}
	}
	if err := composeschema.Validate(filtered); err != nil {
		return nil, err
	}
	return filtered, nil
}

var errEmptyCompose = errors.New("empty compose file")

// emptyComposeFiles checks, when there are several Compose files, that
// each one defines services or secrets on its own, as buildx checks every
// file before merging them ("empty compose file"). A file of zero bytes is
// let through: buildx does not read it at all.
func emptyComposeFiles(files []xhcl.File, env composetypes.Mapping) hcl.Diagnostics {
	if len(files) < 2 {
		return nil // the merged load reports it
	}
	var diags hcl.Diagnostics
	for _, f := range files {
		if len(f.Data) == 0 {
			continue
		}
		one := []xhcl.File{f}
		if err := loadOneComposeModel(one, env); isEmptyCompose(err) {
			diags = append(diags, newComposeLocator(one).errorDiag(err))
		}
	}
	return diags
}

// isEmptyCompose: compose-go has its own error of that text for a file
// with no document (comments only).
func isEmptyCompose(err error) bool {
	return err != nil && (errors.Is(err, errEmptyCompose) || err.Error() == errEmptyCompose.Error())
}

// loadOneComposeModel loads files' model only for its error; problems
// other than an empty file are reported by the merged load.
func loadOneComposeModel(files []xhcl.File, env composetypes.Mapping) (err error) {
	defer recoverCompose(&err)
	_, err = loadComposeModel(context.Background(), files, env, nil)
	return err
}

// recoverCompose turns a panic of compose-go on unusual input into an
// error: a definition file must never crash the CLI.
func recoverCompose(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("compose-go failed to load the file: %v", r)
	}
}

type invalidServiceName struct{ name string }

func (e *invalidServiceName) Error() string {
	return fmt.Sprintf("invalid service name %q", e.name)
}

func composeConfigFiles(files []xhcl.File) []composetypes.ConfigFile {
	out := make([]composetypes.ConfigFile, len(files))
	for i, f := range files {
		data := f.Data
		if data == nil {
			// compose-go reads the file from disk when Content is nil.
			data = []byte{}
		}
		out[i] = composetypes.ConfigFile{Filename: f.Name, Content: data}
	}
	return out
}

// resolveEnvFiles makes relative env_file paths relative to dir. compose-go
// leaves them relative (buildx gives it no working directory, so that
// contexts stay relative too) and reads them from the process's working
// directory, which is dir for the CLI but not for every caller.
func resolveEnvFiles(model map[string]any, dir string) {
	if dir == "" || dir == "." {
		return
	}
	services, _ := model["services"].(map[string]any)
	for _, svc := range services {
		m, _ := svc.(map[string]any)
		list, _ := m["env_file"].([]any)
		for _, e := range list {
			ef, _ := e.(map[string]any)
			if p, ok := ef["path"].(string); ok && p != "" && !filepath.IsAbs(p) {
				ef["path"] = filepath.Join(dir, p)
			}
		}
	}
}

// missingVars records the variables interpolation found unset, which
// compose-go would otherwise log to stderr, so that they become warnings.
type missingVars struct {
	names []string // in the order found
	seen  map[string]bool
}

func (m *missingVars) substitute(tmpl string, mapping template.Mapping) (string, error) {
	if m == nil {
		return template.SubstituteWithOptions(tmpl, mapping, template.WithoutLogging)
	}
	return template.SubstituteWithOptions(tmpl, mapping, template.WithoutLogging,
		template.WithReplacementFunction(func(s string, mapping template.Mapping, cfg *template.Config) (string, error) {
			if name, plain := plainVariable(s); plain {
				if _, ok := mapping(name); !ok && !m.seen[name] {
					if m.seen == nil {
						m.seen = map[string]bool{}
					}
					m.seen[name] = true
					m.names = append(m.names, name)
				}
			}
			return template.DefaultReplacementFunc(s, mapping, cfg)
		}))
}

// plainVariable reports whether a matched template is $NAME or ${NAME},
// the forms that default to an empty string with a warning; the forms with
// a modifier (${NAME:-x}, ${NAME?err}) say themselves what happens.
func plainVariable(s string) (string, bool) {
	name, ok := strings.CutPrefix(s, "$")
	if !ok {
		return "", false
	}
	if inner, braced := strings.CutPrefix(name, "{"); braced {
		end := strings.IndexByte(inner, '}')
		if end < 0 {
			return "", false
		}
		name = inner[:end]
	}
	if name == "" || !isVarName(name) {
		return "", false
	}
	return name, true
}

func isVarName(s string) bool {
	for i := range len(s) {
		if !isVarByte(s[i], i > 0) {
			return false
		}
	}
	return true
}

// isVarByte reports whether c may be part of a variable name; digits
// only after the first character.
func isVarByte(c byte, inside bool) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || inside && c >= '0' && c <= '9'
}

func (m *missingVars) diagnostics(loc *composeLocator) hcl.Diagnostics {
	if len(m.names) == 0 {
		return nil
	}
	refs := loc.varRefs()
	var diags hcl.Diagnostics
	for _, name := range m.names {
		rng, ok := refs[name]
		if !ok {
			rng = loc.start()
		}
		diags = append(diags, xhcl.Warnf(&rng, "Variable not set",
			"The variable %s is not set, so it is replaced with an empty string. Set it in the environment, in .env or with --var %s=value, or write ${%s:-default}.",
			name, name, name))
	}
	return diags
}
