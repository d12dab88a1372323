// Package builder finds the BuildKit nodes a run builds on, and the Docker
// engine `--load` loads into, the way docker buildx and the docker CLI
// find them; it knows nothing of what is built.
//
// It runs before planning: cmd/xbake resolves a Builder (Resolve, or
// LoadFile for a --builders list), executor.Connect dials its nodes
// (Node.Dial) and asks each for its platforms (Workers, Native), and the
// plan is made for those platforms.
//
//   - Resolution (resolve.go): --builder, BUILDX_BUILDER, the current
//     builder of buildx's store, BUILDKIT_HOST, DefaultBuildKitHost. A name
//     is a builder of buildx's store (store.go: its JSON files, read
//     directly; xbake never writes them), else a docker context (its
//     engine's own BuildKit); a value with "://" is a BuildKit address.
//   - Drivers (dial.go, kube.go): remote (an address, with the cacert,
//     cert, key and servername options for TLS, tls.go), docker-container
//     (BuildKit's docker-container:// helper to buildx_buildkit_NODE on the
//     node's docker context), kubernetes (BuildKit's kube-pod:// helper to
//     a running pod of the node's deployment, listed with kubectl), docker
//     (the engine's /grpc and /session endpoints, as buildx's docker
//     driver). Every BuildKit connection helper is registered, so every
//     address form works.
//   - The Docker engine (docker.go, engine.go): a docker context or the
//     default one (DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), with
//     docker/cli's context store and github.com/moby/moby/client.
//   - Inspection (status.go, list.go, qemu.go): what `xbake builder ls`,
//     `builder inspect` and `doctor` show, including this machine's QEMU
//     binfmt_misc handlers.
//
// Errors say what to do: a *ConfigError for configuration that cannot
// work (exit code 2: unknown name, malformed store file, missing TLS
// file), a *NodeError for a node that does not answer (exit code 1), with
// the node, its endpoint and the driver's remedy.
package builder
