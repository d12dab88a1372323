package bake

import (
	"fmt"
	"path"
	"regexp"
	"strconv"
	"strings"

	"github.com/docker/go-units"
	"github.com/hashicorp/hcl/v2"

	xhcl "github.com/xbake/xbake/hcl"
)

// validate checks what buildx checks when it turns a target into build
// options (which --print does too), and cleans the context path the way
// --print shows it. Platforms are package plan's to check (plan.CheckLinks
// before --print, plan.New before a build).
// stat, when set, checks that secret files exist, as buildx's secret store
// does when it opens them.
func (t *Target) validate(stat func(string) error) hcl.Diagnostics {
	var diags hcl.Diagnostics
	errf := func(attr, summary, format string, args ...any) {
		rng := t.AttrRange(attr)
		diags = append(diags, xhcl.Errorf(&rng, summary, format, args...))
	}
	if t.Context != nil && *t.Context == "-" {
		errf("context", "Invalid context", "Target %q reads its context from stdin, which bake does not allow. Use a directory.", t.Name)
	}
	if t.Dockerfile != nil && *t.Dockerfile == "-" {
		errf("dockerfile", "Invalid dockerfile", "Target %q reads its Dockerfile from stdin, which bake does not allow. Use dockerfile-inline instead.", t.Name)
	}
	if t.Context != nil {
		c := *t.Context
		if !strings.HasPrefix(c, "cwd://") && !IsRemoteURL(c) {
			c = path.Clean(c)
		}
		if rest, ok := strings.CutPrefix(c, "cwd://"); ok {
			c = path.Clean(rest)
		}
		t.Context = &c
	}
	if t.ShmSize != nil {
		if _, err := units.RAMInBytes(*t.ShmSize); err != nil {
			errf("shm-size", "Invalid shm-size", "Target %q: %q is not a size; write a number with an optional unit b, k, m or g, such as \"128m\".", t.Name, *t.ShmSize)
		}
	}
	if r := t.Resources; r != nil {
		if _, _, err := r.MemoryBytes(); err != nil {
			errf("resources", "Invalid resources", "Target %q: %s; write a number with an optional unit b, k, m or g, such as \"512m\".", t.Name, err)
		}
	}
	for i, u := range t.Ulimits {
		if err := CheckUlimit(u); err != nil {
			rng := t.ElemRange("ulimits", strconv.Itoa(i))
			diags = append(diags, xhcl.Errorf(&rng, "Invalid ulimit", "Target %q: %s.", t.Name, err))
		}
	}
	for i, a := range t.Annotations {
		if err := checkAnnotation(a); err != nil {
			rng := t.ElemRange("annotations", strconv.Itoa(i))
			diags = append(diags, xhcl.Errorf(&rng, "Invalid annotation", "Target %q: %s.", t.Name, err))
		}
	}
	diags = append(diags, t.validateOutputs()...)
	if stat != nil {
		for _, sec := range t.Secrets {
			if sec.FilePath == "" {
				continue
			}
			if err := stat(sec.FilePath); err != nil {
				errf("secret", "Missing secret file", "Target %q: the file %q of secret %q cannot be read (%v). Create it, or point src at an existing file.", t.Name, sec.FilePath, sec.ID, err)
			}
		}
		// buildx opens ssh keys and agent sockets while preparing the
		// build, which --print does too.
		for i, s := range t.SSH {
			for _, p := range s.Paths {
				if err := stat(p); err != nil {
					rng := t.ElemRange("ssh", strconv.Itoa(i))
					diags = append(diags, xhcl.Errorf(&rng, "Missing ssh key", "Target %q: the key or agent socket %q of ssh %q cannot be read (%v). Create it, or point the entry at an existing key file or agent socket.", t.Name, p, s.ID, err))
				}
			}
		}
	}
	if t.Network != nil {
		switch *t.Network {
		case "", "default", "host", "none":
		default:
			errf("network", "Invalid network", "Target %q: network %q is not supported; use default, host or none.", t.Name, *t.Network)
		}
	}
	return diags
}

// validateOutputs checks file and folder destinations as buildx's
// CreateExports does while preparing the build (which --print shows): a
// folder output (local; oci or docker with tar=false) needs dest and
// cannot write to stdout; a file output (tar; oci with tar) without dest
// writes to stdout, dest "-"; docker without dest loads into the engine.
// At most one output of a target writes to stdout.
func (t *Target) validateOutputs() hcl.Diagnostics {
	var diags hcl.Diagnostics
	errf := func(summary, format string, args ...any) {
		rng := t.AttrRange("output")
		diags = append(diags, xhcl.Errorf(&rng, summary, format, args...))
	}
	stdout := 0
	for _, e := range t.Outputs {
		var file, dir bool
		switch e.Type {
		case "local":
			dir = true
		case "tar":
			file = true
		case "oci", "docker":
			tar, err := strconv.ParseBool(e.Attrs["tar"])
			if err != nil {
				tar = true
			}
			file, dir = tar, !tar
		}
		switch {
		case dir && e.Dest == "":
			errf("Missing output destination", "Target %q: output type=%s writes a folder and needs dest, such as type=%s,dest=out.", t.Name, e.Type, e.Type)
		case dir && e.Dest == "-":
			errf("Invalid output destination", "Target %q: output type=%s writes a folder, not to stdout; set dest to a folder.", t.Name, e.Type)
		case file && e.Dest == "" && e.Type != "docker":
			e.Dest = "-"
		}
		if file && e.Dest == "-" {
			stdout++
		}
	}
	if stdout > 1 {
		errf("Several outputs to stdout", "Target %q: %d outputs write to stdout (dest \"-\", or no dest for tar and oci); give all but one a dest file.", t.Name, stdout)
	}
	return diags
}

var ulimitNames = map[string]bool{
	"core": true, "cpu": true, "data": true, "fsize": true, "locks": true, "memlock": true,
	"msgqueue": true, "nice": true, "nofile": true, "nproc": true, "rss": true, "rtprio": true,
	"rttime": true, "sigpending": true, "stack": true,
}

// CheckUlimit checks a "type=soft[:hard]" ulimit entry.
func CheckUlimit(u string) error {
	name, limits, ok := strings.Cut(u, "=")
	if !ok {
		return fmt.Errorf("ulimit %q must be type=soft[:hard], such as nofile=1024:2048", u)
	}
	if !ulimitNames[name] {
		return fmt.Errorf("ulimit %q: unknown type %q", u, name)
	}
	soft, hard, hasHard := strings.Cut(limits, ":")
	s, err := strconv.ParseInt(soft, 10, 64)
	if err != nil {
		return fmt.Errorf("ulimit %q: %q is not a number", u, soft)
	}
	if hasHard {
		h, err := strconv.ParseInt(hard, 10, 64)
		if err != nil {
			return fmt.Errorf("ulimit %q: %q is not a number", u, hard)
		}
		if s > h {
			return fmt.Errorf("ulimit %q: the soft limit is above the hard limit", u)
		}
	}
	return nil
}

var annotationType = regexp.MustCompile(`^([a-z-]+)(?:\[([A-Za-z0-9_/-]+)\])?$`)

func checkAnnotation(a string) error {
	k, _, ok := strings.Cut(a, "=")
	if !ok {
		return fmt.Errorf("annotation %q must be key=value", a)
	}
	types, _, hasTypes := strings.Cut(k, ":")
	if !hasTypes {
		return nil
	}
	for _, tp := range strings.Split(types, ",") {
		m := annotationType.FindStringSubmatch(tp)
		if m == nil {
			return fmt.Errorf("annotation type %q must be a type with an optional [platform]", tp)
		}
		switch m[1] {
		case "manifest", "manifest-descriptor", "index", "index-descriptor":
		default:
			return fmt.Errorf("unknown annotation type %q: use manifest, manifest-descriptor, index or index-descriptor", m[1])
		}
	}
	return nil
}

// rebasePaths makes local context paths relative to the directory of the
// file that set them instead of the working directory. Values from --set,
// absolute paths and non-local contexts are left alone.
func (t *Target) rebasePaths() {
	if t.Context != nil {
		file := t.AttrRange("context").Filename
		if _, set := t.Source.lookup("context", ""); !set {
			file = t.Source.declRange().Filename // the default "."
		}
		c := rebase(*t.Context, file)
		t.Context = &c
	}
	if len(t.Contexts) > 0 {
		out := make(map[string]string, len(t.Contexts))
		for k, v := range t.Contexts {
			out[k] = rebase(v, t.ElemRange("contexts", k).Filename)
		}
		t.Contexts = out
	}
}

func rebase(p, file string) string {
	if file == "" || file == xhcl.StdinName || !isLocalPath(p) || path.IsAbs(p) {
		return p
	}
	dir := path.Dir(filepathToSlash(file))
	if dir == "." {
		return p
	}
	return path.Join(dir, p)
}

// isLocalPath is false for the context forms that are not directories:
// cwd://, target:, docker-image://, oci-layout:// and remote URLs.
func isLocalPath(p string) bool {
	for _, prefix := range []string{"cwd://", "target:", "docker-image://", "oci-layout://"} {
		if strings.HasPrefix(p, prefix) {
			return false
		}
	}
	return !IsRemoteURL(p)
}

func filepathToSlash(p string) string { return strings.ReplaceAll(p, "\\", "/") }
