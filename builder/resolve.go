package builder

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/docker/cli/cli/context/store"
)

// Options choose a builder.
type Options struct {
	// Name is --builder: a buildx builder, a docker context (its engine's
	// own BuildKit, as buildx's docker driver) or, with "://", a BuildKit
	// address.
	Name string
	// TLS is the client TLS for a tcp:// address (--tlscacert, --tlscert,
	// --tlskey, --tlsservername); TLSDir a folder holding ca.pem, cert.pem
	// and key.pem (or ca.crt, tls.crt, tls.key), as buildctl's --tlsdir.
	// When both are empty, BUILDKIT_TLSCACERT, BUILDKIT_TLSCERT,
	// BUILDKIT_TLSKEY, BUILDKIT_TLSSERVERNAME and BUILDKIT_TLSDIR are read.
	TLS    TLS
	TLSDir string
	// Getenv reads the environment (nil: the process's).
	Getenv func(string) string
	// WorkDir resolves relative TLS paths and keeps a kubernetes builder
	// on the same pod from run to run.
	WorkDir string
}

// AddressBuilder is the name of a builder given as a BuildKit address.
const AddressBuilder = "buildkit"

// Resolve finds the builder of a run as buildx does: Options.Name, then
// BUILDX_BUILDER, then the current builder of buildx's store (`docker
// buildx use`), then BUILDKIT_HOST, then DefaultBuildKitHost.
func Resolve(opt Options) (*Builder, error) {
	e := env{opt.Getenv}
	tlsSet := !opt.TLS.empty() || opt.TLSDir != ""
	pick := func(name, source string) (*Builder, error) {
		if strings.Contains(name, "://") {
			return e.address(name, source, opt, tlsSet)
		}
		if tlsSet {
			return nil, configErrorf("the TLS flags apply to a tcp:// address; builder %s takes its TLS from its own configuration (the remote driver's cacert, cert, key and servername options)", name)
		}
		return e.named(name, source, opt.WorkDir)
	}
	if opt.Name != "" {
		return pick(opt.Name, "--builder")
	}
	if v := e.get("BUILDX_BUILDER"); v != "" {
		return pick(v, "BUILDX_BUILDER")
	}
	s := OpenStore(opt.Getenv)
	key, err := e.dockerEndpointKey()
	if err != nil {
		return nil, err
	}
	if name, err := s.Current(key); err != nil {
		return nil, err
	} else if name != "" {
		b, err := s.Load(name)
		switch {
		case err == nil:
			b.Source = "the current buildx builder (" + filepath.Join(s.Dir, "current") + ")"
			return b, b.prepare(e, opt.WorkDir)
		case !errors.Is(err, errNotInStore):
			return nil, err
		}
		// buildx forgets a current builder that was removed; so does xbake.
	}
	if v := e.get("BUILDKIT_HOST"); v != "" {
		return e.address(v, "BUILDKIT_HOST", opt, tlsSet)
	}
	return e.address(DefaultBuildKitHost, "the default address", opt, tlsSet)
}

// dockerEndpointKey is the key buildx files the current builder under:
// the current docker context, or for the default context its engine's
// address.
func (e env) dockerEndpointKey() (string, error) {
	name, _, err := e.currentDockerContext()
	if err != nil || name != "default" {
		return name, err
	}
	d, err := e.defaultDocker("")
	if err != nil {
		// The key only selects a stored choice; a TLS problem of the
		// default engine must not stop a build that does not use it.
		return e.get("DOCKER_HOST"), nil
	}
	return d.Host, nil
}

// named finds a builder by name: in buildx's store, else a docker context
// of that name (the engine's own BuildKit, as buildx's default builder).
func (e env) named(name, source, workDir string) (*Builder, error) {
	s := OpenStore(e.getenv)
	b, err := s.Load(name)
	if err == nil {
		b.Source = source
		return b, b.prepare(e, workDir)
	}
	if !errors.Is(err, errNotInStore) {
		return nil, err
	}
	if name == "default" || e.dockerContextExists(name) {
		b := &Builder{Name: name, Driver: DriverDocker, Source: source,
			Nodes: []*Node{{Builder: name, Name: name, Driver: DriverDocker, Endpoint: name}}}
		return b, b.prepare(e, workDir)
	}
	return nil, configErrorf("%s: no builder %q; %s", source, name, e.known(s))
}

func (e env) dockerContextExists(name string) bool {
	_, err := e.contextStore().GetMetadata(name)
	return err == nil
}

// known lists the builders that exist, for an unknown name.
func (e env) known(s *Store) string {
	names, err := s.Names()
	if err != nil {
		return fmt.Sprintf("the builder store %s cannot be read: %v", s.Dir, err)
	}
	var out []string
	if len(names) > 0 {
		out = append(out, fmt.Sprintf("the buildx builders (in %s) are %s", s.Dir, strings.Join(names, ", ")))
	} else {
		out = append(out, fmt.Sprintf("buildx's store (%s) has no builders", s.Dir))
	}
	ctxs, _ := store.Names(e.contextStore())
	out = append(out, "the docker contexts (the engine's own BuildKit) are "+strings.Join(append([]string{"default"}, ctxs...), ", "))
	return strings.Join(out, "; ") + `; a BuildKit address needs its scheme ("tcp://HOST:PORT", "unix:///PATH", ...)`
}

// address is a builder given as a BuildKit address.
func (e env) address(addr, source string, opt Options, tlsSet bool) (*Builder, error) {
	if err := checkAddress(addr); err != nil {
		return nil, configErrorf("%s: %v", source, err)
	}
	n := &Node{Builder: AddressBuilder, Name: AddressBuilder, Endpoint: addr}
	t, dir := opt.TLS, opt.TLSDir
	if !tlsSet && strings.HasPrefix(addr, "tcp://") {
		// The variables may be set for every build of a shell; they only
		// concern a tcp:// address.
		t = TLS{CA: e.get("BUILDKIT_TLSCACERT"), Cert: e.get("BUILDKIT_TLSCERT"), Key: e.get("BUILDKIT_TLSKEY"), ServerName: e.get("BUILDKIT_TLSSERVERNAME")}
		dir = e.get("BUILDKIT_TLSDIR")
	}
	if dir != "" {
		if t.CA != "" || t.Cert != "" || t.Key != "" {
			return nil, configErrorf("a TLS folder and TLS files cannot both be given; use --tlsdir or --tlscacert/--tlscert/--tlskey")
		}
		var err error
		if t, err = tlsFromDir(absFrom(opt.WorkDir, dir), t.ServerName); err != nil {
			return nil, err
		}
	}
	if !t.empty() {
		if !strings.HasPrefix(addr, "tcp://") {
			return nil, configErrorf("%s: TLS settings apply to tcp:// addresses only, not %s", source, addr)
		}
		t.CA, t.Cert, t.Key = absFrom(opt.WorkDir, t.CA), absFrom(opt.WorkDir, t.Cert), absFrom(opt.WorkDir, t.Key)
		n.TLS = &t
	}
	b := &Builder{Name: AddressBuilder, Source: source, Nodes: []*Node{n}}
	return b, b.prepare(e, opt.WorkDir)
}

// prepare gives every node what dialing needs later, and reads TLS files
// now: a missing or bad one is a configuration error, found before
// anything is dialed.
func (b *Builder) prepare(e env, workDir string) error {
	for _, n := range b.Nodes {
		n.env, n.workDir, n.source = e, workDir, b.Source
		if err := n.loadTLS(); err != nil {
			switch {
			case b.Source == "--builders":
				return configErrorf("%s: builder %q: %v", b.File, n.Name, err)
			case b.File != "":
				return configErrorf("%s: builder %s, node %s: %v", b.File, b.Name, n.Name, err)
			}
			return configErrorf("%s: %v", b.Source, err)
		}
	}
	return nil
}

// absFrom resolves p against dir unless it is empty or absolute.
func absFrom(dir, p string) string {
	if p == "" || filepath.IsAbs(p) || dir == "" {
		return p
	}
	return filepath.Join(dir, p)
}
