#!/usr/bin/env bash
# Cross-compilation against QEMU emulation, measured (`make bench-emulation`).
#
# Builds examples/hello twice for linux/amd64 + linux/arm64, each time from
# cold caches (--no-cache), publishing nothing (type=cacheonly) and running
# no smoke test (--no-test: only hello has one, and it is not compiling):
#
#   hello           FROM --platform=$BUILDPLATFORM: Go runs on this CPU and
#                   cross-compiles for each TARGETARCH
#   hello-emulated  FROM the target platform's Go image: for arm64 the Go
#                   compiler itself runs under QEMU user mode
#
# and prints both wall times and their ratio. Same program, same Go, same
# two platforms; only where the compiler runs differs. The numbers depend
# on the machine (cores, QEMU version); see README.md, "Cross-compile or
# emulate?".
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
readonly FILE=examples/hello/xbuild.hcl
readonly PLATFORMS=linux/amd64,linux/arm64
export GOWORK=off

if ! scripts/stack.sh status >/dev/null 2>&1; then
	scripts/stack.sh up
fi
eval "$(scripts/stack.sh env)"

scripts/build.sh bin >/dev/null
readonly XBAKE=bin/xbake

# bench TARGET prints the wall time of a cold build of TARGET in seconds
# (on stdout) after xbake's summary table (on stderr).
bench() {
	local target=$1 start end
	printf '\n==> %s for %s, --no-cache, nothing published\n' "$target" "$PLATFORMS" >&2
	printf '$ %s\n' "$XBAKE -f $FILE $target --no-cache --no-test --set $target.platform=$PLATFORMS --set $target.output=type=cacheonly --progress quiet" >&2
	start=$(date +%s.%N)
	"$XBAKE" -f "$FILE" "$target" --no-cache --no-test \
		--set "$target.platform=$PLATFORMS" \
		--set "$target.output=type=cacheonly" \
		--progress quiet || {
		printf 'bench-emulation: the %s build failed; no figure\n' "$target" >&2
		return 1
	}
	end=$(date +%s.%N)
	awk -v s="$start" -v e="$end" 'BEGIN { printf "%.1f\n", e - s }'
}

printf 'Cold builds of examples/hello on %s (%s cores), one after the other.\n' "$(uname -m)" "$(nproc)"
cross=$(bench hello)
emulated=$(bench hello-emulated)

printf '\n==> Wall time for %s, cold caches\n' "$PLATFORMS"
printf '  %-44s %7s s\n' "cross-compiled  (target hello)" "$cross"
printf '  %-44s %7s s\n' "emulated        (target hello-emulated)" "$emulated"
awk -v c="$cross" -v e="$emulated" 'BEGIN { printf "  emulation took %.1fx the time of cross-compilation\n", e / c }'
