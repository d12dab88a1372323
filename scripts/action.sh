#!/usr/bin/env bash
# The GitHub Action (action.yml at the repository root): install xbake,
# run a bake with docker/bake-action's inputs, and set the "metadata"
# output to the metadata file's JSON.
#
# A composite action gets no INPUT_* variables: action.yml passes every
# input as XBAKE_INPUT_<NAME> (empty when not given), and GitHub's own
# RUNNER_TEMP, RUNNER_OS, RUNNER_ARCH, GITHUB_OUTPUT and GITHUB_PATH.
#
#   XBAKE_INPUT_VERSION     a release ("v1.2.3"), "latest", or "source":
#                           go build of the action's own checkout
#                           (XBAKE_ACTION_PATH). A release that cannot be
#                           downloaded falls back to source when Go is there.
#   XBAKE_INPUT_FILES       bake files, one a line or comma-separated
#   XBAKE_INPUT_TARGETS     targets and groups, one a line or comma-separated
#   XBAKE_INPUT_SET         --set values, one a line (commas are kept)
#   XBAKE_INPUT_PUSH, _LOAD, _NO_CACHE, _PULL   true or false
#   XBAKE_INPUT_PROVENANCE, _SBOM               as --provenance, --sbom
#   XBAKE_INPUT_BUILDER     as --builder
#   XBAKE_INPUT_WORKDIR     where to run (default: the workspace)
#   XBAKE_RELEASES          release download base (default GitHub's)
set -euo pipefail

die() {
	echo "::error title=xbake::$*" >&2
	exit 1
}

# list VALUE [comma]: one item a line, trimmed, empty ones dropped; with
# "comma", commas separate items too (as bake-action's getInputList).
list() {
	local v=$1
	[[ ${2:-} == comma ]] && v=${v//,/$'\n'}
	local line
	while IFS= read -r line; do
		line="${line#"${line%%[![:space:]]*}"}"
		line="${line%"${line##*[![:space:]]}"}"
		[[ -n $line ]] && printf '%s\n' "$line"
	done <<<"$v"
}

# flag NAME VALUE: true or false (or empty: false).
flag() {
	case ${2,,} in
	true) return 0 ;;
	false | '') return 1 ;;
	*) die "input $1 is \"$2\": use true or false" ;;
	esac
}

platform() {
	local os arch
	case ${RUNNER_OS:-$(uname -s)} in
	Linux) os=linux ;;
	macOS | Darwin) os=darwin ;;
	Windows | MINGW* | MSYS* | CYGWIN*) os=windows ;;
	*) die "unsupported runner OS ${RUNNER_OS:-$(uname -s)}" ;;
	esac
	case ${RUNNER_ARCH:-$(uname -m)} in
	X64 | x86_64 | amd64) arch=amd64 ;;
	ARM64 | aarch64 | arm64) arch=arm64 ;;
	*) die "unsupported runner architecture ${RUNNER_ARCH:-$(uname -m)}" ;;
	esac
	echo "$os-$arch"
}

# download VERSION DEST: the release binary, checked against SHA256SUMS.
download() {
	local version=$1 dest=$2 base=${XBAKE_RELEASES:-https://github.com/xbake/xbake/releases}
	local name url tmp
	name=xbake-$(platform)
	[[ $name == xbake-windows-* ]] && name+=.exe
	if [[ $version == latest ]]; then url=$base/latest/download; else url=$base/download/$version; fi
	tmp=$(mktemp -d "$RUNNER_TEMP/xbake-download.XXXXXX")
	echo "Downloading $url/$name"
	curl -fsSL --retry 3 -o "$tmp/$name" "$url/$name" && curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "$url/SHA256SUMS" || return 1
	local want got
	want=$(awk -v n="$name" '$2 == n || $2 == "*"n {print $1}' "$tmp/SHA256SUMS")
	got=$( (command -v sha256sum >/dev/null && sha256sum "$tmp/$name" || shasum -a 256 "$tmp/$name") | awk '{print $1}')
	[[ -n $want && $want == "$got" ]] || die "$name does not match its SHA256SUMS entry (got $got, want ${want:-none}): not installed"
	install -m 0755 "$tmp/$name" "$dest"
	rm -rf "$tmp"
}

build_from_source() {
	local dest=$1 src=${XBAKE_ACTION_PATH:?XBAKE_ACTION_PATH is the action checkout}
	command -v go >/dev/null || die "building xbake from source needs Go: add actions/setup-go before this step, or set version to a release"
	echo "Building xbake from $src with $(go version)"
	(cd "$src" && CGO_ENABLED=0 go build -trimpath -o "$dest" ./cmd/xbake)
}

install_xbake() {
	local version=${XBAKE_INPUT_VERSION:-latest}
	local dir=$RUNNER_TEMP/xbake-bin
	mkdir -p "$dir"
	local bin=$dir/xbake
	[[ $(platform) == windows-* ]] && bin+=.exe
	if [[ $version == source ]]; then
		build_from_source "$bin"
	elif ! download "$version" "$bin"; then
		command -v go >/dev/null || die "could not download xbake $version; set version to a release that exists, or add actions/setup-go and set version: source"
		echo "::warning title=xbake::could not download xbake $version; building the action's own checkout instead"
		build_from_source "$bin"
	fi
	echo "$dir" >>"${GITHUB_PATH:-/dev/null}"
	XBAKE=$bin
	"$XBAKE" version
}

main() {
	: "${RUNNER_TEMP:?RUNNER_TEMP is set by GitHub Actions}"
	: "${GITHUB_OUTPUT:?GITHUB_OUTPUT is set by GitHub Actions}"
	install_xbake

	local args=() item
	while IFS= read -r item; do args+=(--file "$item"); done < <(list "${XBAKE_INPUT_FILES:-}" comma)
	while IFS= read -r item; do args+=(--set "$item"); done < <(list "${XBAKE_INPUT_SET:-}")
	flag push "${XBAKE_INPUT_PUSH:-}" && args+=(--push)
	flag load "${XBAKE_INPUT_LOAD:-}" && args+=(--load)
	flag no-cache "${XBAKE_INPUT_NO_CACHE:-}" && args+=(--no-cache)
	flag pull "${XBAKE_INPUT_PULL:-}" && args+=(--pull)
	[[ -n ${XBAKE_INPUT_PROVENANCE:-} ]] && args+=(--provenance "$XBAKE_INPUT_PROVENANCE")
	[[ -n ${XBAKE_INPUT_SBOM:-} ]] && args+=(--sbom "$XBAKE_INPUT_SBOM")
	[[ -n ${XBAKE_INPUT_BUILDER:-} ]] && args+=(--builder "$XBAKE_INPUT_BUILDER")
	local meta
	meta=$(mktemp "$RUNNER_TEMP/xbake-metadata.XXXXXX")
	args+=(--metadata-file "$meta")
	while IFS= read -r item; do args+=("$item"); done < <(list "${XBAKE_INPUT_TARGETS:-}" comma)

	cd "${XBAKE_INPUT_WORKDIR:-.}"
	echo "xbake ${args[*]}"
	local rc=0
	"$XBAKE" "${args[@]}" || rc=$?
	if [[ -s $meta ]]; then
		# A multi-line output, with a delimiter that the JSON cannot hold.
		local eof
		eof=xbake_$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
		{
			echo "metadata<<$eof"
			cat "$meta"
			echo
			echo "$eof"
		} >>"$GITHUB_OUTPUT"
	fi
	rm -f "$meta"
	return "$rc"
}

main "$@"
