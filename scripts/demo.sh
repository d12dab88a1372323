#!/usr/bin/env bash
# The xbake demo (`make demo`): one bake file, one command, one image for
# three CPU architectures, then proof that each architecture's image runs.
#
#   1. the local builder stack (scripts/stack.sh up; a second run only checks it)
#   2. build xbake (bin/xbake, bin/xbake-engine) and a small image reader
#      (scripts/imgpeek)
#   3. xbake -f examples/hello/xbuild.hcl release --push
#   4. xbake imagetools inspect localhost:5000/xbake/hello:latest
#   5. pull each platform's image, take out /hello and run it
#      (arm64 and arm through QEMU user mode, registered in binfmt_misc)
#   6. the same build as per-platform docker archives (type=docker,dest=...)
#   7. the same build loaded into the stack's Docker engine (--load), and
#      each platform's image run with `docker run --platform`
#   8. a smoke test (the bake file's test block) that fails on two
#      platforms keeps the tag where it was
#   9. xbake --plan --explain: which RUN steps of hello-emulated would run
#      under QEMU, and how to cross-compile them instead
#
# It needs no manual step and can run again: a second run is served from
# BuildKit's cache. Everything it writes goes to out/demo/ (and bin/), and
# the images it loads into the stack's Docker engine.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
readonly OUT=out/demo
readonly IMAGE=localhost:5000/xbake/hello:latest
readonly FILE=examples/hello/xbuild.hcl
readonly PLATFORMS=(linux/amd64 linux/arm64 linux/arm/v7)
readonly STEPS=9
export GOWORK=off

if [[ -t 1 ]]; then
	B=$'\e[1m' D=$'\e[2m' G=$'\e[32m' R=$'\e[31m' N=$'\e[0m'
else
	B='' D='' G='' R='' N=''
fi
STEP=0
step() {
	STEP=$((STEP + 1))
	printf '\n%s==> %d/%d  %s%s\n' "$B" "$STEP" "$STEPS" "$*" "$N"
}
# show CMD... prints the command, then runs it.
show() {
	printf '%s$ %s%s\n' "$D" "$*" "$N"
	"$@"
}
die() {
	printf '%sdemo: %s%s\n' "$R" "$*" "$N" >&2
	exit 1
}
took() { printf '%s(%d s)%s\n' "$D" "$((SECONDS - $1))" "$N"; }

step "The local builder stack: buildkitd, a registry on localhost:5000, base images, a Docker engine"
if ! scripts/stack.sh status >/dev/null 2>&1; then
	scripts/stack.sh up
fi
scripts/stack.sh status
eval "$(scripts/stack.sh env)"
echo "BUILDKIT_HOST=$BUILDKIT_HOST"

step "Build xbake"
t=$SECONDS
show scripts/build.sh bin
show go build -o "$OUT/bin/imgpeek" ./scripts/imgpeek
readonly XBAKE=bin/xbake PEEK=$OUT/bin/imgpeek
took "$t"

step "Build examples/hello for ${PLATFORMS[*]} and push one image"
cat <<EOF
The target "hello" cross-compiles: its build stage runs on this machine's
CPU (FROM --platform=\$BUILDPLATFORM) and Go compiles for each TARGETARCH.
xbake runs one solve per platform, pushes each platform's image by digest,
and only when all three succeeded pushes the index to $IMAGE
(the node hello#index). The table at the end sums it up; its EXEC column
says "cross" for the platforms this builder does not run natively: xbake
read the Dockerfile and saw every RUN step on the build platform, so the
Go compiler of all three ran natively, without QEMU. Before any of that,
xbake checked that the base image offers the platforms it is pulled for,
and before anything was pushed it ran the bake file's test block in each
platform's image: /hello must greet in that platform's architecture (the
TEST column, and the "test hello" lines under the table).

EOF
t=$SECONDS
show "$XBAKE" -f "$FILE" release --push
took "$t"

step "The index in the registry: one tag, three platforms"
show "$XBAKE" imagetools inspect "$IMAGE"

step "Pull each platform's image, take out /hello and run it"
cat <<EOF
amd64 runs natively. The arm64 and arm binaries run through QEMU user mode:
the kernel hands them to qemu-aarch64 / qemu-arm (binfmt_misc).

EOF
declare -A WANT=([linux/amd64]="Hello, amd64!" [linux/arm64]="Hello, arm64!" [linux/arm/v7]="Hello, arm!")
declare -A HOW=([linux/amd64]=native [linux/arm64]="QEMU user mode (qemu-aarch64)" [linux/arm/v7]="QEMU user mode (qemu-arm)")
[[ $(uname -m) == x86_64 ]] || HOW[linux/amd64]="QEMU user mode"
rm -rf -- "${OUT:?}/run"
for p in "${PLATFORMS[@]}"; do
	show "$PEEK" extract -platform "$p" -o "$OUT/run/${p//\//-}/hello" "$IMAGE" /hello
done
echo
for p in "${PLATFORMS[@]}"; do
	bin=$OUT/run/${p//\//-}/hello
	got=$("$bin") || die "$bin ($p) failed"
	printf '%-13s $ %-31s ->  %s%-14s%s %s%s%s\n' "$p" "$bin" "$G$B" "$got" "$N" "$D" "${HOW[$p]}" "$N"
	[[ $got == "${WANT[$p]}" ]] || die "$bin printed '$got'; want '${WANT[$p]}'"
done

step "The same build as per-platform docker archives"
cat <<EOF
A docker image store holds one image per tag, not a manifest list, so
type=docker writes one archive per platform (hello-linux-arm64.tar, ...)
with the platform appended to each tag. Nothing is rebuilt: BuildKit's
cache has every step.

EOF
rm -f -- "${OUT:?}"/hello*.tar
t=$SECONDS
show "$XBAKE" -f "$FILE" release --set "hello.output=type=docker,dest=$OUT/hello.tar" --progress quiet
took "$t"
echo
echo "Each archive's image config names its platform:"
show "$PEEK" archive "$OUT"/hello-*.tar
echo "(a docker engine loads one with: docker load -i $OUT/hello-linux-arm64.tar)"

step "Load each platform's image into the Docker engine and run it"
cat <<EOF
--load (an output type=docker without dest) loads into the engine the
docker CLI would use; here DOCKER_HOST names the stack's own engine
($XBAKE_DOCKER_HOST). Its image store keeps one platform per tag, so each
platform is loaded under its own tag. docker run --platform runs each:
arm64 and arm through the same QEMU handlers.

EOF
export DOCKER_HOST=$XBAKE_DOCKER_HOST DOCKER_CONFIG=$ROOT/$OUT/docker-config
mkdir -p "$DOCKER_CONFIG"
t=$SECONDS
show "$XBAKE" -f "$FILE" release --load --progress quiet
took "$t"
echo
for p in "${PLATFORMS[@]}"; do
	tag=$IMAGE-${p//\//-}
	printf '%s$ docker run --rm --platform %s %s%s\n' "$D" "$p" "$tag" "$N"
	got=$(docker run --rm --platform "$p" "$tag") || die "docker run --platform $p $tag failed"
	printf '%-13s ->  %s%-14s%s %s%s%s\n' "$p" "$G$B" "$got" "$N" "$D" "${HOW[$p]}" "$N"
	[[ $got == "${WANT[$p]}" ]] || die "docker run --platform $p $tag printed '$got'; want '${WANT[$p]}'"
done
unset DOCKER_HOST DOCKER_CONFIG

step "A smoke test keeps a broken image from its tag"
cat <<EOF
The same build with a bug: --set hello.args.TARGETARCH=amd64 makes the
Dockerfile compile for amd64 whatever the platform (as a Dockerfile that
forgets GOARCH=\$TARGETARCH does). Each image is labelled with its
platform but holds an amd64 binary. The test block runs /hello in every
image before the index is pushed: on arm64 and arm it prints
"Hello, amd64!", the test fails, xbake exits 1, and $IMAGE keeps
pointing at the good index.

EOF
before=$("$XBAKE" imagetools inspect --format '{{.Manifest.Digest}}' "$IMAGE")
t=$SECONDS
rc=0
show "$XBAKE" -f "$FILE" release --push --set hello.args.TARGETARCH=amd64 --keep-going --progress quiet || rc=$?
took "$t"
after=$("$XBAKE" imagetools inspect --format '{{.Manifest.Digest}}' "$IMAGE")
[[ $rc == 1 ]] || die "the broken build exited $rc; want 1"
[[ $before == "$after" ]] || die "$IMAGE moved from $before to $after"
printf '\nexit code %s; %s is still %s%s%s\n' "$rc" "$IMAGE" "$G$B" "$after" "$N"

step "Where QEMU would run: xbake --plan --explain"
cat <<EOF
The target hello-emulated compiles inside a Go image of the target
platform, so for linux/arm64 the Go compiler runs under QEMU (make
bench-emulation measures the cost). --plan --explain reads the
Dockerfiles and says which RUN steps run under QEMU on this builder, and
how to cross-compile them, without building anything.

EOF
show "$XBAKE" -f "$FILE" --plan --explain hello-emulated

printf '\n%sDone.%s Where to look next:\n' "$B" "$N"
cat <<EOF
  README.md "From the demo to your own project"  write an xbuild.hcl; --print, --plan, graph; real registries
  README.md "Cross-compile or emulate?"          why "hello" is fast (make bench-emulation measures it)
  examples/hello/                                this demo's program, Dockerfile and bake file
  examples/monorepo/                             services sharing a base target, groups, a matrix
  examples/matrix/                               a build matrix feeding a GitHub Actions job matrix
  docs/compat.md                                 how xbake differs from docker buildx bake
Try next:  bin/xbake -f examples/monorepo/xbuild.hcl graph release
EOF
