#!/usr/bin/env bash
# Release binaries (`make release`): static xbake binaries, stamped with
# version, commit and date, for every platform of PLATFORMS, in DIST with
# a SHA256SUMS file.
#
#   DIST       output folder, emptied first (default dist)
#   PLATFORMS  GOOS/GOARCH pairs (default: linux, darwin, windows × amd64, arm64)
#   VERSION    default: git describe --tags --always --dirty
#   COMMIT     default: git rev-parse HEAD
#   DATE       default: the commit's time (SOURCE_DATE_EPOCH when set), so
#              that the same commit gives the same bytes
#
# Binaries are named xbake-GOOS-GOARCH (.exe for windows); the Action
# (scripts/action.sh) downloads them by that name. Built with CGO_ENABLED=0
# (no libc needed), -trimpath (no build paths inside) and -s -w (no symbol
# tables: a third smaller, and faster to link).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export GOWORK=off

DIST=${DIST:-dist}
PLATFORMS=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
VERSION=${VERSION:-$(git describe --tags --always --dirty 2>/dev/null || echo dev)}
COMMIT=${COMMIT:-$(git rev-parse HEAD 2>/dev/null || true)}
if [[ -z ${DATE:-} ]]; then
	if [[ -n ${SOURCE_DATE_EPOCH:-} ]]; then
		DATE=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%dT%H:%M:%SZ)
	else
		DATE=$(TZ=UTC git log -1 --date=format-local:%Y-%m-%dT%H:%M:%SZ --format=%cd 2>/dev/null || true)
	fi
fi
LDFLAGS="-s -w -X main.version=$VERSION -X main.commit=$COMMIT -X main.date=$DATE"

sha256() {
	if command -v sha256sum >/dev/null; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

rm -rf "$DIST"
mkdir -p "$DIST"
echo "xbake $VERSION (commit ${COMMIT:-unknown}, $DATE) into $DIST/"
total_start=$SECONDS
names=()
for p in $PLATFORMS; do
	goos=${p%/*} goarch=${p#*/}
	if [[ $goos == "$p" || -z $goarch ]]; then
		echo "invalid platform $p in PLATFORMS: want GOOS/GOARCH" >&2
		exit 2
	fi
	name=xbake-$goos-$goarch
	[[ $goos == windows ]] && name+=.exe
	start=$SECONDS
	CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -buildvcs=false \
		-ldflags "$LDFLAGS" -o "$DIST/$name" ./cmd/xbake
	size=$(wc -c <"$DIST/$name")
	printf '  %-28s %5.1f MB  %3ds\n' "$name" "$(awk "BEGIN{print $size/1048576}")" $((SECONDS - start))
	names+=("$name")
done
(cd "$DIST" && sha256 "${names[@]}" >SHA256SUMS)
echo "  SHA256SUMS ($((SECONDS - total_start))s in all)"
