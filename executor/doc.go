// Package executor is the last phase of xbake: it runs a plan.
//
// It takes a plan.Plan (from package plan) and returns a Report; it never
// prints (an output with dest=- goes to the writer the caller gives). The pieces, each behind a small interface so that the walk is
// tested with the fakes of executortest:
//
//   - Executor (walk.go) walks the DAG with errgroup: a node starts when
//     its dependencies are done, a semaphore taken only then bounds the
//     running solves (Parallel), the first failure cancels the rest unless
//     KeepGoing, transient errors are retried (retry.go), and Events
//     report progress to the caller. A dependency's build is held open
//     until its dependents have evaluated, then it exports (handover.go).
//     Each vertex of BuildKit's status streams is attributed to one node
//     (vertices.go), so that progress shows it once and a node's duration
//     and step counts are its own.
//   - Scheduler (schedule.go, health.go) chooses the node of every solve
//     attempt as capacity frees: the plan's home node
//     (plan.Node.Builder, by rendezvous hashing with bounded loads), an
//     idle node of the same kind when the home's backlog exceeds its
//     capacity, an emulating node when no native node can run the
//     platform or waiting would take longer than emulating. Health
//     checks declare a node lost when it refuses connections or has not
//     answered for the node timeout; the walk moves its solves to the
//     next candidate (farm.go) and reports each Move.
//   - Solver runs one solve node. BuildKit (buildkit.go, solve.go) is the
//     real one: a dockerfile.v0 build through the gateway API per (target,
//     platform), on the scheduler's node (builders.go), with local
//     directories shared per daemon (session.go), secrets, ssh and
//     registry auth attached, `target:` links passed as frontend inputs
//     on the same node and as an OCI layout from another (transfer.go),
//     and outputs per output type (outputs.go). File outputs wait
//     in temporary files until BuildKit.Commit moves a target's files in
//     together, once all its nodes succeeded (outfiles.go); dest=- is
//     standard output, which CheckStdout lets one tarball use at most.
//   - Publisher runs one merge node. Merger (merge.go) pushes an OCI index
//     over the per-platform images (pushed by digest) to every tag, or
//     merges OCI layouts and tarballs, through package executor/oci, and
//     only once every platform of the target succeeded. When it fails
//     after some tags moved, a PartialError says which (partial.go). It
//     also joins the per-platform registry caches under the ref the user
//     named (cache.go says where each solve reads and writes its caches,
//     cache_merge.go joins them). AtomicGate (atomic.go) wraps it for
//     --atomic: no merge publishes until every solve of the run ended,
//     and none does if one failed.
//
// A solve with smoke tests (plan.Solve.Tests) runs them in its evaluated
// result before it exports anything (smoketest.go): a container of the
// built image on the same daemon, QEMU for a foreign platform; a test that
// fails fails the solve with a *TestError, so nothing of it is written and
// its target's merge node never publishes.
//
// What the plan marks unchanged does not run (reuse.go): a skipped solve
// ends as StatusUnchanged at once, without a node of the farm or a test,
// and an unchanged target's merge node points its tags at the image
// published from the same inputs. Records (records.go) add to every
// registry push what a later run looks up: the input digests as manifest
// annotations, the record tags, and the result of a dependency-only
// solve.
//
// Every solve also gets what buildx adds to a build (buildinfo.go):
// default provenance (asked of each attempt's node, which may have
// changed since the last) and the git work tree's VCS information; after it,
// its build record's provenance for the metadata file (provenance.go).
//
// A panic while running a node, in whichever goroutine (the walk's, a
// solve's, a callback that BuildKit's client runs), fails that node with
// a *PanicError instead of ending the process (panic.go).
//
// CheckEntitlements (entitlements.go) and CheckStdout run before anything
// is built; Report.Metadata (metadata.go) is what --metadata-file holds,
// after a failure too; Redactor (redact.go) keeps secret values out of
// what the CLI shows.
//
// Builders are resolved by package builder (buildx's builders, docker
// contexts, BuildKit addresses, a builders file); Connect dials their
// nodes, leaving out those that do not answer (CheckDown says whether the
// run needs them), and --load reaches the Docker engine through it
// (load.go). docs/architecture.md ("Scheduling over a farm") says how
// work is placed, moved and linked across nodes.
//
// The executor carries out what the plan decided and re-derives none of
// it: a solve's outputs follow each of its targets' role and planned
// platforms (plan.Solve.Roles, Solve.TargetPlatforms), never the raw
// platforms lists, where "local" and aliases may name one platform twice;
// its nodes are the plan's (plan.Node.Builder, Plan.Candidates).
package executor
