package builder

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/containerd/platforms"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/xbake/xbake/localfile"
)

// Store is buildx's builder store, read directly (its files are JSON):
// instances/NAME holds one builder, current says which one `docker
// buildx use` chose. xbake never writes it.
type Store struct {
	Dir string
}

// maxStoreFile bounds what is read of one store file: buildx's are a few
// KB (a buildkitd.toml embedded in Files at most).
const maxStoreFile = 4 << 20

// OpenStore returns buildx's store: $BUILDX_CONFIG, else
// $DOCKER_CONFIG/buildx, else ~/.docker/buildx. It may not exist.
func OpenStore(getenv func(string) string) *Store {
	e := env{getenv}
	if d := e.get("BUILDX_CONFIG"); d != "" {
		return &Store{Dir: d}
	}
	return &Store{Dir: filepath.Join(e.dockerConfigDir(), "buildx")}
}

// storeGroup is buildx's store.NodeGroup as it is saved.
type storeGroup struct {
	Name    string
	Driver  string
	Nodes   []storeNode
	Dynamic bool
}

// storeNode is buildx's store.Node as it is saved.
type storeNode struct {
	Name       string
	Endpoint   string
	Platforms  []ocispec.Platform
	DriverOpts map[string]string
	Flags      []string
	// Files are base64, as encoding/json writes []byte; decoded in
	// fromStore, so that a bad one is named by its field.
	Files map[string]string
}

// namePattern is buildx's rule for builder names (store.ValidateName).
var namePattern = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9.\-_]*$`)

// Names lists the builders in the store, sorted; none when it does not
// exist.
func (s *Store) Names() ([]string, error) {
	ents, err := os.ReadDir(filepath.Join(s.Dir, "instances"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && namePattern.MatchString(e.Name()) {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// file is the store file of a builder.
func (s *Store) file(name string) string {
	return filepath.Join(s.Dir, "instances", strings.ToLower(name))
}

// errNotInStore: the store has no builder of that name.
var errNotInStore = errors.New("not in the builder store")

// Load reads builder name from the store. It returns errNotInStore when
// there is none, and a ConfigError naming the file and the field when its
// file is malformed or describes a builder xbake cannot use.
func (s *Store) Load(name string) (*Builder, error) {
	if !namePattern.MatchString(name) {
		return nil, errNotInStore
	}
	path := s.file(name)
	dt, err := localfile.Read(path, maxStoreFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errNotInStore
	}
	if err != nil {
		return nil, configErrorf("builder store: %v", err)
	}
	var g storeGroup
	if err := decodeJSON(dt, &g); err != nil {
		return nil, configErrorf("%s: %v", path, err)
	}
	return fromStore(path, &g)
}

// fromStore checks a stored builder and turns it into a Builder.
func fromStore(path string, g *storeGroup) (*Builder, error) {
	bad := func(format string, args ...any) error {
		return configErrorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
	if g.Name == "" {
		return nil, bad(`field "Name" is empty`)
	}
	switch g.Driver {
	case DriverRemote, DriverDockerContainer, DriverKubernetes, DriverDocker:
	case "":
		return nil, bad(`field "Driver" is empty; buildx writes one of docker, docker-container, kubernetes, remote`)
	default:
		return nil, bad(`field "Driver": xbake cannot use driver %q (it uses docker, docker-container, kubernetes and remote builders)`, g.Driver)
	}
	if len(g.Nodes) == 0 {
		return nil, bad(`field "Nodes" is empty: builder %s has no node; add one with "docker buildx create --append --name %s"`, g.Name, g.Name)
	}
	b := &Builder{Name: g.Name, Driver: g.Driver, File: path}
	seen := map[string]bool{}
	for i, sn := range g.Nodes {
		field := fmt.Sprintf("Nodes[%d]", i)
		if sn.Name == "" {
			return nil, bad("field %q is empty", field+".Name")
		}
		if seen[sn.Name] {
			return nil, bad("field %q: node %s is listed twice", field+".Name", sn.Name)
		}
		seen[sn.Name] = true
		if g.Driver == DriverRemote {
			if sn.Endpoint == "" {
				return nil, bad("field %q is empty: a remote node needs the BuildKit address", field+".Endpoint")
			}
			// Found now, it is the file's mistake (exit code 2), not a
			// node that does not answer.
			if err := checkAddress(sn.Endpoint); err != nil {
				return nil, bad("field %q: %v", field+".Endpoint", err)
			}
		}
		var toml []byte
		if f, ok := sn.Files["buildkitd.toml"]; ok {
			var err error
			if toml, err = base64.StdEncoding.DecodeString(f); err != nil {
				return nil, bad("field %q: not base64 (%v)", field+`.Files["buildkitd.toml"]`, err)
			}
		}
		n := &Node{Builder: g.Name, Name: sn.Name, Driver: g.Driver, Endpoint: sn.Endpoint, DriverOpts: sn.DriverOpts,
			Capacity: maxParallelism(toml)}
		for _, p := range sn.Platforms {
			if p.OS == "" || p.Architecture == "" {
				return nil, bad("field %q: a platform needs os and architecture", field+".Platforms")
			}
			n.Platforms = append(n.Platforms, platforms.Format(platforms.Normalize(p)))
		}
		if err := n.checkDriverOpts(); err != nil {
			return nil, bad("field %q: %v", field+".DriverOpts", err)
		}
		b.Nodes = append(b.Nodes, n)
	}
	return b, nil
}

// storeCurrent is buildx's "current" file.
type storeCurrent struct {
	Key    string
	Name   string
	Global bool
}

// Current returns the name of the builder `docker buildx use` chose for
// the docker endpoint key (a docker context name, or the default
// context's engine address), as buildx's Txn.Current does: the current
// file when it is global or for that key, else the default set with
// `docker buildx use --default`. "" when there is none.
func (s *Store) Current(key string) (string, error) {
	path := filepath.Join(s.Dir, "current")
	dt, err := localfile.Read(path, maxStoreFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", configErrorf("builder store: %v", err)
	}
	if err == nil {
		var c storeCurrent
		if err := decodeJSON(dt, &c); err != nil {
			return "", configErrorf("%s: %v", path, err)
		}
		if c.Name != "" && (c.Global || c.Key == key) {
			return c.Name, nil
		}
	}
	sum := sha256.Sum256([]byte(key))
	dt, err = localfile.Read(filepath.Join(s.Dir, "defaults", hex.EncodeToString(sum[:])[:20]), 1<<10)
	if err != nil {
		return "", nil
	}
	return strings.TrimSpace(string(dt)), nil
}

// decodeJSON decodes dt into v and words an error with the field and the
// line and column it is at.
func decodeJSON(dt []byte, v any) error {
	err := json.Unmarshal(dt, v)
	if err == nil {
		return nil
	}
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	switch {
	case errors.As(err, &te):
		line, col := position(dt, valueStart(dt, te.Offset))
		if te.Field == "" {
			return fmt.Errorf("%d:%d: a JSON %s where %s belongs", line, col, te.Value, describeType(te.Type.String()))
		}
		return fmt.Errorf("%d:%d: field %q: a JSON %s where %s belongs", line, col, te.Field, te.Value, describeType(te.Type.String()))
	case errors.As(err, &se):
		// Offset counts the bytes read, the bad one included.
		line, col := position(dt, se.Offset-1)
		return fmt.Errorf("%d:%d: invalid JSON: %v", line, col, se)
	}
	return fmt.Errorf("invalid JSON: %v", err)
}

func describeType(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "map["), strings.Contains(t, "."):
		return "an object"
	}
	return "a " + t
}

// valueStart moves the offset of a type error, which json reports after
// the value, back to where the value begins.
func valueStart(dt []byte, off int64) int64 {
	i := min(max(off, 0), int64(len(dt)))
	switch {
	case i > 0 && dt[i-1] == '"':
		for j := i - 2; j >= 0; j-- {
			if dt[j] == '"' && (j == 0 || dt[j-1] != '\\') {
				return j
			}
		}
	case i > 0 && (dt[i-1] == '[' || dt[i-1] == '{'):
		return i - 1
	default:
		for i > 0 && strings.IndexByte("0123456789+-.eEtruefalsn", dt[i-1]) >= 0 {
			i--
		}
	}
	return i
}

// position turns the index of a byte into a 1-based line and column.
func position(dt []byte, off int64) (line, col int) {
	off = min(max(off, 0), int64(len(dt)))
	before := dt[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	col = int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}
