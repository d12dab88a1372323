#!/usr/bin/env bash
# Build xbake for one platform into a folder, as every way of getting it
# ships it: `make build`, `make release` (scripts/release.sh) and the
# Action's source fallback (scripts/action.sh).
#
#   scripts/build.sh DIR [SUFFIX]
#
# On linux and darwin that is the pair that starts fast (cmd/xbake/engine.go):
# the front build as DIR/xbake, the full build as DIR/xbake-engine. The
# front hands commands over with exec, which windows lacks, so there it is
# the full build alone, DIR/xbake.exe. SUFFIX goes after each name (and
# before .exe): release.sh passes -GOOS-GOARCH.
#
#   GOOS, GOARCH, CGO_ENABLED, GOFLAGS   as for go build
#   LDFLAGS   go build -ldflags for both (release.sh stamps the version)
#   GO        the go command (default go)
#
# It prints each file's name, size and build time.
set -euo pipefail

if [[ $# -lt 1 || $# -gt 2 ]]; then
	echo "usage: $0 DIR [SUFFIX]" >&2
	exit 2
fi
dir=$1 suffix=${2:-}
GO=${GO:-go}
pkg=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/cmd/xbake
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# one NAME [GO BUILD FLAGS...]
one() {
	local name=$1 start=$SECONDS size
	shift
	(cd "$pkg" && "$GO" build "$@" -ldflags "${LDFLAGS:-}" -o "$dir/$name" .)
	size=$(wc -c <"$dir/$name")
	printf '  %-26s %5.1f MB  %3ds\n' "$name" "$(awk "BEGIN{print $size/1048576}")" $((SECONDS - start))
}

if [[ ${GOOS:-$("$GO" env GOOS)} == windows ]]; then
	one "xbake$suffix.exe"
else
	one "xbake$suffix" -tags xbakefront
	one "xbake-engine$suffix"
fi
