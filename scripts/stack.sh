#!/usr/bin/env bash
# The local builder stack that xbake's integration tests and demo run on:
# a root buildkitd (OCI worker, runc, QEMU for foreign platforms), a plain
# registry, a second registry with htpasswd auth, multi-arch base images in
# the plain one, and a Docker engine (Debian's docker.io) with its own data
# root and socket, holding a BuildKit image for docker-container builders.
# See README.md.
#
#   scripts/stack.sh up       install, build and start what is missing (idempotent)
#   scripts/stack.sh down     stop what `up` started (by its pid files), nothing else
#   scripts/stack.sh status   say what runs; exit 0 only when all of it answers
#   scripts/stack.sh env      print the test environment as shell exports
#   scripts/stack.sh running  print the names of the running components
#
# `down` may name components (buildkitd registry auth-registry docker) to stop only
# those. The XBAKE_*_DIR and *_PORT variables below exist to run a second,
# separate stack side by side; the defaults are what everything else expects.
# The two stacks' Docker engines then share the kernel's docker0 bridge and
# hand out its addresses each on its own, so containers of both that use
# the bridge at the same time may get the same address.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUN_DIR=${XBAKE_RUN_DIR:-/run/xbake}
STATE_DIR=${XBAKE_STATE_DIR:-/var/lib/xbake}
CACHE_DIR=${XBAKE_CACHE_DIR:-/var/cache/xbake}
REGISTRY_PORT=${XBAKE_REGISTRY_PORT:-5000}
AUTH_REGISTRY_PORT=${XBAKE_AUTH_REGISTRY_PORT:-5001}
# Test credentials for the auth registry: fixed, loopback only, not secret.
AUTH_USER=xbake
AUTH_PASSWORD=xbake-test-password

SOCKET=$RUN_DIR/buildkitd.sock
BUILDKIT_ADDR=unix://$SOCKET
DOCKER_SOCKET=$RUN_DIR/docker.sock
DOCKER_ADDR=unix://$DOCKER_SOCKET
ETC=$STATE_DIR/etc
LOGS=$STATE_DIR/log
COMPONENTS=(registry auth-registry buildkitd docker)
# git: the tests of --affected-since, remote definitions and version
# stamping run it.
PACKAGES=(runc qemu-user-static binfmt-support docker-registry curl iproute2 git docker.io)
# Debian architecture => image platform of the busybox base image.
declare -A DEB_PLATFORM=([amd64]=linux/amd64 [arm64]=linux/arm64 [armhf]=linux/arm/v7)
DEB_ARCHES=(amd64 arm64 armhf)
GO_ARCHES=(amd64 arm64)
declare -A GO_DEB=([amd64]=amd64 [arm64]=arm64)

# runc and update-binfmts live in sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export DEBIAN_FRONTEND=noninteractive
export GOWORK=off

log() { printf 'stack: %s\n' "$*" >&2; }
die() {
	printf 'stack: error: %s\n' "$*" >&2
	exit 1
}
need_root() { [[ $EUID -eq 0 ]] || die "'$1' must run as root (it installs packages, mounts binfmt_misc and runs buildkitd)"; }

lock() {
	mkdir -p "$RUN_DIR"
	exec 9>"$RUN_DIR/stack.lock"
	flock -w 900 9 || die "another 'stack.sh up/down' holds $RUN_DIR/stack.lock for more than 15 minutes"
}

# --- processes we started: pid files plus a marker in the command line ---

marker() {
	case $1 in
	buildkitd) echo "--addr $BUILDKIT_ADDR" ;;
	registry) echo "$ETC/registry.yml" ;;
	auth-registry) echo "$ETC/auth-registry.yml" ;;
	docker) echo "--host $DOCKER_ADDR" ;;
	*) die "unknown component '$1' (known: ${COMPONENTS[*]})" ;;
	esac
}

# pid_of NAME prints the pid of our running NAME; a pid file whose process
# is gone or is something else (a reused pid) does not count.
pid_of() {
	local file=$RUN_DIR/$1.pid pid want
	[[ -f $file ]] || return 1
	pid=$(<"$file")
	[[ $pid =~ ^[0-9]+$ ]] || return 1
	[[ -r /proc/$pid/cmdline ]] || return 1
	want=$(marker "$1")
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$want" || return 1
	echo "$pid"
}

answers() {
	case $1 in
	buildkitd)
		[[ -n ${BUILDCTL:-} && -x $BUILDCTL ]] || BUILDCTL=$(buildkit_dir)/bin/buildctl
		[[ -x $BUILDCTL ]] && timeout 10 "$BUILDCTL" --addr "$BUILDKIT_ADDR" debug workers >/dev/null 2>&1
		;;
	registry) curl -fsS -m 5 -o /dev/null "http://127.0.0.1:$REGISTRY_PORT/v2/" 2>/dev/null ;;
	auth-registry)
		# It must both let the test user in and keep anonymous clients out.
		[[ $(curl -sS -m 5 -o /dev/null -w '%{http_code}' "http://127.0.0.1:$AUTH_REGISTRY_PORT/v2/" 2>/dev/null) == 401 ]] &&
			curl -fsS -m 5 -o /dev/null -u "$AUTH_USER:$AUTH_PASSWORD" "http://127.0.0.1:$AUTH_REGISTRY_PORT/v2/" 2>/dev/null
		;;
	docker) [[ $(curl -fsS -m 5 --unix-socket "$DOCKER_SOCKET" http://docker/_ping 2>/dev/null) == OK ]] ;;
	esac
}

address_of() {
	case $1 in
	buildkitd) echo "$BUILDKIT_ADDR" ;;
	registry) echo "localhost:$REGISTRY_PORT" ;;
	auth-registry) echo "localhost:$AUTH_REGISTRY_PORT" ;;
	docker) echo "$DOCKER_ADDR" ;;
	esac
}

# refuse_foreign NAME fails when NAME's address is taken by a process that
# we did not start: we never stop those, and starting beside them fails.
refuse_foreign() {
	local who
	case $1 in
	buildkitd | docker)
		local sock=$SOCKET
		[[ $1 == docker ]] && sock=$DOCKER_SOCKET
		[[ -e $sock ]] || return 0
		who=$(ss -Hlxp "src $sock" 2>/dev/null | grep -o 'users:.*' || true)
		if [[ -z $who ]] && ! answers "$1"; then
			rm -f "$sock" # left behind by a daemon that died
			return 0
		fi
		die "$sock is served by a process that 'stack.sh up' did not start (${who:-unknown}); stop it, or set XBAKE_RUN_DIR to run a separate stack"
		;;
	registry | auth-registry)
		local port=$REGISTRY_PORT
		[[ $1 == auth-registry ]] && port=$AUTH_REGISTRY_PORT
		who=$(ss -Hltnp "sport = :$port" 2>/dev/null || true)
		[[ -z $who ]] && return 0
		die "port $port is taken by a process that 'stack.sh up' did not start: $(grep -o 'users:.*' <<<"$who" | head -1); stop it, or set XBAKE_REGISTRY_PORT / XBAKE_AUTH_REGISTRY_PORT"
		;;
	esac
}

# start NAME STAMP CMD... starts CMD in its own session (so a Ctrl-C in the
# calling terminal or the end of `make` does not reach it) and waits until
# it answers. STAMP records what it was started with, so that `up` can
# restart it when the binary or configuration changes.
start() {
	local name=$1 stamp=$2 pid i
	shift 2
	refuse_foreign "$name"
	mkdir -p "$LOGS"
	printf '\n=== %s: %s\n' "$(date -Is)" "$*" >>"$LOGS/$name.log"
	# fd 9 is the stack lock: the daemon must not keep holding it.
	setsid "$@" >>"$LOGS/$name.log" 2>&1 </dev/null 9>&- &
	pid=$!
	echo "$pid" >"$RUN_DIR/$name.pid"
	echo "$stamp" >"$RUN_DIR/$name.stamp"
	for ((i = 0; i < 600; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			tail -n 20 "$LOGS/$name.log" >&2 || true
			rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.stamp"
			die "$name exited while starting; its log is $LOGS/$name.log (last lines above)"
		fi
		if answers "$name"; then
			log "started $name at $(address_of "$name") (pid $pid)"
			return 0
		fi
		sleep 0.1
	done
	tail -n 20 "$LOGS/$name.log" >&2 || true
	die "$name (pid $pid) did not answer at $(address_of "$name") within 60 s; its log is $LOGS/$name.log; 'make down' stops it"
}

stop() {
	local name=$1 pid i
	if pid=$(pid_of "$name"); then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 200; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$pid" 2>/dev/null; then
			log "$name (pid $pid) ignored SIGTERM for 20 s; sending SIGKILL"
			kill -KILL "$pid" 2>/dev/null || true
			sleep 0.5
		fi
		log "stopped $name (pid $pid)"
	elif [[ -f $RUN_DIR/$name.pid ]]; then
		log "$name was not running (removing its stale pid file)"
	fi
	rm -f "$RUN_DIR/$name.pid" "$RUN_DIR/$name.stamp"
	if [[ $name == buildkitd && -S $SOCKET ]] && ! answers buildkitd; then
		rm -f "$SOCKET"
	fi
	if [[ $name == docker && -S $DOCKER_SOCKET ]] && ! answers docker; then
		rm -f "$DOCKER_SOCKET"
	fi
}

# answers_soon NAME gives a running daemon a minute: on a machine loaded
# by emulated builds a check can time out, and restarting the daemon then
# would kill every build in flight.
answers_soon() {
	local i
	log "$1 does not answer at $(address_of "$1"); waiting up to 60 s before restarting it"
	for ((i = 0; i < 12; i++)); do
		sleep 5
		answers "$1" && return 0
	done
	return 1
}

# ensure NAME STAMP CMD... leaves NAME running with that stamp.
ensure() {
	local name=$1 stamp=$2 pid
	if pid=$(pid_of "$name"); then
		if [[ $(cat "$RUN_DIR/$name.stamp" 2>/dev/null) != "$stamp" ]]; then
			log "$name: binary or configuration changed; restarting it"
			stop "$name"
		elif answers "$name" || answers_soon "$name"; then
			return 0
		else
			log "$name (pid $pid) has not answered for 60 s; restarting it"
			stop "$name"
		fi
	fi
	start "$@"
}

# --- installation ---

APT_UPDATED=0
APT_STALE=0
# apt_update_once tolerates a partial failure: a mirror can serve one bad
# index (seen: bookworm-security's armhf list "Mirror sync in progress?"),
# which apt reports as an error although what we install comes from the
# others. A package that is really missing fails later, by name.
apt_update_once() {
	((APT_UPDATED)) && return 0
	APT_UPDATED=1
	log "apt-get update"
	apt-get -q -o DPkg::Lock::Timeout=300 update >"$LOGS/apt.log" 2>&1 && return 0
	sleep 5
	log "apt-get update failed; trying once more"
	apt-get -q -o DPkg::Lock::Timeout=300 update >>"$LOGS/apt.log" 2>&1 && return 0
	grep -E '^(E|W):' "$LOGS/apt.log" | tail -n 5 >&2 || true
	log "warning: apt-get update reported errors (above, and in $LOGS/apt.log); going on with the indexes it got"
}

installed() { [[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]; }

ensure_packages() {
	local missing=() p
	for p in "${PACKAGES[@]}"; do
		installed "$p" || missing+=("$p")
	done
	((${#missing[@]})) || return 0
	apt_update_once
	log "installing ${missing[*]}"
	# Our daemons run with our own configuration; keep the packaged
	# docker-registry (on :5000), docker and containerd services from
	# starting as they install.
	printf '#!/bin/sh\nexit 101\n' >"$CACHE_DIR/policy-rc.d"
	chmod +x "$CACHE_DIR/policy-rc.d"
	POLICYRCD=$CACHE_DIR/policy-rc.d apt-get -q -y -o DPkg::Lock::Timeout=300 install --no-install-recommends "${missing[@]}" >>"$LOGS/apt.log" 2>&1 || {
		tail -n 20 "$LOGS/apt.log" >&2
		die "apt-get install ${missing[*]} failed; see $LOGS/apt.log"
	}
}

ensure_binfmt() {
	local dir=/proc/sys/fs/binfmt_misc h
	if [[ ! -e $dir/register ]]; then
		log "mounting binfmt_misc"
		mount -t binfmt_misc binfmt_misc "$dir" || die "cannot mount binfmt_misc on $dir (a container without the privilege?)"
	fi
	[[ $(<"$dir/status") == enabled ]] || echo 1 >"$dir/status"
	for h in qemu-aarch64 qemu-arm; do
		handler_enabled "$h" && continue
		log "registering the QEMU handler $h"
		[[ -f /var/lib/binfmts/$h ]] || update-binfmts --import "$h" >/dev/null
		update-binfmts --enable "$h" >/dev/null 2>&1 || true
		if ! handler_enabled "$h"; then
			die "the QEMU binfmt_misc handler $h is not enabled after 'update-binfmts --enable $h' (is qemu-user-static installed?)"
		fi
	done
}

handler_enabled() {
	[[ -f /proc/sys/fs/binfmt_misc/$1 ]] && [[ $(head -n1 "/proc/sys/fs/binfmt_misc/$1") == enabled ]]
}

BUILDKIT_VERSION=
buildkit_version() {
	if [[ -z $BUILDKIT_VERSION ]]; then
		BUILDKIT_VERSION=$(cd "$ROOT" && go list -m -f '{{.Version}}' github.com/moby/buildkit) ||
			die "cannot read the pinned github.com/moby/buildkit version from $ROOT/go.mod"
	fi
	echo "$BUILDKIT_VERSION"
}
buildkit_dir() { echo "$CACHE_DIR/buildkit-$(buildkit_version)"; }

# The binaries come from the buildkit version xbake's go.mod pins, so the
# client the tests use and the daemon always match. `go install pkg@version`
# refuses buildkit (its go.mod has exclude directives), so a throwaway tools
# module outside the clone requires it instead.
ensure_buildkit() {
	local ver dir
	ver=$(buildkit_version)
	dir=$(buildkit_dir)
	if [[ -x $dir/bin/buildkitd && -x $dir/bin/buildctl ]]; then
		return 0
	fi
	log "building buildkitd and buildctl $ver into $dir/bin (once; about 2.5 minutes on 2 cores)"
	mkdir -p "$dir/src"
	(
		cd "$dir/src"
		[[ -f go.mod ]] || go mod init xbake.local/buildkit-tools >/dev/null 2>&1
		cat >tools.go <<-'EOF'
			//go:build tools

			// Package tools pins the buildkit commands that scripts/stack.sh builds.
			package tools

			import (
				_ "github.com/moby/buildkit/cmd/buildctl"
				_ "github.com/moby/buildkit/cmd/buildkitd"
			)
		EOF
		go get "github.com/moby/buildkit@$ver"
		go mod tidy
		rm -rf "$dir/bin.tmp"
		go build -trimpath -ldflags "-s -w -X github.com/moby/buildkit/version.Version=$ver" \
			-o "$dir/bin.tmp/" github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl
	) >"$LOGS/buildkit-build.log" 2>&1 || {
		tail -n 30 "$LOGS/buildkit-build.log" >&2
		die "building buildkit $ver failed; see $LOGS/buildkit-build.log"
	}
	rm -rf "${dir:?}/bin"
	mv "$dir/bin.tmp" "$dir/bin"
}

busybox_missing() {
	local arch
	for arch in "${DEB_ARCHES[@]}"; do
		[[ -x $CACHE_DIR/busybox/$arch/busybox ]] ||
			compgen -G "$CACHE_DIR/debs/busybox-static_*_$arch.deb" >/dev/null || echo "$arch"
	done
}

# Foreign architectures are added before anything else touches apt, so
# that a fresh machine needs a single `apt-get update`.
ensure_foreign_arches() {
	local arch foreign
	foreign=" $(dpkg --print-foreign-architectures | tr '\n' ' ') "
	for arch in $(busybox_missing); do
		[[ $arch == "$(dpkg --print-architecture)" || $foreign == *" $arch "* ]] && continue
		log "dpkg --add-architecture $arch (to download busybox-static:$arch)"
		dpkg --add-architecture "$arch"
		APT_STALE=1
	done
}

# Debian's static busybox for every base-image architecture, as .debs
# cached in $CACHE_DIR/debs and extracted to $CACHE_DIR/busybox/ARCH.
ensure_busybox() {
	local need=() arch deb tmp
	for arch in "${DEB_ARCHES[@]}"; do
		[[ -x $CACHE_DIR/busybox/$arch/busybox ]] || need+=("$arch")
	done
	((${#need[@]})) || return 0
	mkdir -p "$CACHE_DIR/debs"
	for arch in "${need[@]}"; do
		compgen -G "$CACHE_DIR/debs/busybox-static_*_$arch.deb" >/dev/null && continue
		((APT_STALE)) || apt-cache show "busybox-static:$arch" >/dev/null 2>&1 || APT_STALE=1
		((APT_STALE)) && apt_update_once
		log "downloading busybox-static:$arch"
		(cd "$CACHE_DIR/debs" && apt-get -q -o APT::Sandbox::User=root download "busybox-static:$arch") >>"$LOGS/apt.log" 2>&1 || {
			tail -n 20 "$LOGS/apt.log" >&2
			die "apt-get download busybox-static:$arch failed; see $LOGS/apt.log"
		}
	done
	for arch in "${need[@]}"; do
		deb=$(compgen -G "$CACHE_DIR/debs/busybox-static_*_$arch.deb" | sort | tail -n1)
		tmp=$(mktemp -d "$CACHE_DIR/tmp/busybox.XXXXXX")
		dpkg-deb -x "$deb" "$tmp" || die "cannot extract $deb"
		[[ -f $tmp/bin/busybox ]] || die "$deb has no bin/busybox"
		mkdir -p "$CACHE_DIR/busybox/$arch"
		install -m 0755 "$tmp/bin/busybox" "$CACHE_DIR/busybox/$arch/busybox"
		rm -rf "$tmp"
	done
}

GO_VERSION=
go_version() {
	[[ -n $GO_VERSION ]] || GO_VERSION=$(go env GOVERSION)
	echo "$GO_VERSION"
}

# goroot_for ARCH prints a Go tree of the host's Go version for ARCH: the
# host's own for its architecture, otherwise the toolchain module from the
# Go module proxy, unpacked once into $CACHE_DIR/golang.
goroot_for() {
	local arch=$1 ver dir tmp mod
	ver=$(go_version)
	if [[ $arch == "$(go env GOHOSTARCH)" ]]; then
		go env GOROOT
		return 0
	fi
	dir=$CACHE_DIR/golang/$ver.linux-$arch/go
	if [[ ! -x $dir/bin/go ]]; then
		mod=golang.org/toolchain@v0.0.1-$ver.linux-$arch
		log "downloading the Go toolchain $mod"
		tmp=$(mktemp -d "$CACHE_DIR/tmp/toolchain.XXXXXX")
		# A private module cache, writable so the tree can be moved out of it.
		(cd "$tmp" && GOMODCACHE=$tmp/mod GOFLAGS=-modcacherw GOTOOLCHAIN=local go mod download -json "$mod") >"$tmp/download.json" 2>&1 || {
			cat "$tmp/download.json" >&2
			die "go mod download $mod failed"
		}
		[[ -x $tmp/mod/$mod/bin/go || -f $tmp/mod/$mod/bin/go ]] || die "$mod has no bin/go"
		# Module zips do not keep exec bits; the go command restores them for
		# bin/ and pkg/tool/ on first use, and nothing will use this one.
		find "$tmp/mod/$mod/bin" "$tmp/mod/$mod/pkg/tool" -type f -exec chmod 0755 {} +
		mkdir -p "$(dirname "$dir")"
		rm -rf "$dir"
		mv "$tmp/mod/$mod" "$dir"
		rm -rf "$tmp"
	fi
	echo "$dir"
}

# --- configuration ---

# write_if_changed FILE writes stdin to FILE only when it differs, so that
# stamps (and running daemons) stay put when nothing changed.
write_if_changed() {
	local tmp
	tmp=$(mktemp "$1.XXXXXX")
	cat >"$tmp"
	if cmp -s "$tmp" "$1"; then
		rm -f "$tmp"
	else
		mv "$tmp" "$1"
	fi
}

write_configs() {
	mkdir -p "$ETC" "$STATE_DIR/registry" "$STATE_DIR/auth-registry" "$STATE_DIR/buildkitd"
	local host port
	{
		echo "# Written by scripts/stack.sh; edits are overwritten."
		echo "# Builds may ask for these; xbake still requires --allow for them."
		echo 'insecure-entitlements = ["network.host", "security.insecure"]'
		echo "# The local registries speak plain http on loopback."
		for port in "$REGISTRY_PORT" "$AUTH_REGISTRY_PORT"; do
			for host in localhost 127.0.0.1; do
				printf '[registry."%s:%s"]\n  http = true\n' "$host" "$port"
			done
		done
	} | write_if_changed "$ETC/buildkitd.toml"
	registry_config "$STATE_DIR/registry" "$REGISTRY_PORT" | write_if_changed "$ETC/registry.yml"
	{
		registry_config "$STATE_DIR/auth-registry" "$AUTH_REGISTRY_PORT"
		printf 'auth:\n  htpasswd:\n    realm: xbake-auth-registry\n    path: %s\n' "$ETC/htpasswd"
	} | write_if_changed "$ETC/auth-registry.yml"
	# The bcrypt line changes on every run (random salt), so it is remade
	# only when the credentials it was made from change.
	if [[ ! -s $ETC/htpasswd || $(cat "$ETC/htpasswd.for" 2>/dev/null) != "$AUTH_USER:$AUTH_PASSWORD" ]]; then
		(cd "$ROOT" && go run ./scripts/htpasswd "$AUTH_USER" <<<"$AUTH_PASSWORD") >"$ETC/htpasswd.tmp" ||
			die "cannot make $ETC/htpasswd (go run ./scripts/htpasswd)"
		mv "$ETC/htpasswd.tmp" "$ETC/htpasswd"
		echo "$AUTH_USER:$AUTH_PASSWORD" >"$ETC/htpasswd.for"
	fi
}

# No blob descriptor cache: with deletes enabled (tests delete), a cached
# descriptor would make a deleted blob look present and break later pushes.
registry_config() {
	cat <<-EOF
		# Written by scripts/stack.sh; edits are overwritten.
		version: 0.1
		log:
		  level: warn
		  accesslog:
		    disabled: true
		storage:
		  filesystem:
		    rootdirectory: $1
		  delete:
		    enabled: true
		http:
		  addr: 127.0.0.1:$2
		  secret: xbake-local-stack-$2
	EOF
}

stamp_of() { cat "$@" | cksum | cut -d' ' -f1; }

# --- base images ---

image_present() {
	curl -fsS -m 10 -o /dev/null \
		-H 'Accept: application/vnd.oci.image.index.v1+json' \
		"http://127.0.0.1:$REGISTRY_PORT/v2/$1/manifests/$2" 2>/dev/null
}

ensure_images() {
	local reg=localhost:$REGISTRY_PORT ver args arch
	if ! image_present xbake/busybox latest; then
		args=()
		for arch in "${DEB_ARCHES[@]}"; do
			args+=(-busybox "${DEB_PLATFORM[$arch]}=$CACHE_DIR/busybox/$arch/busybox")
		done
		log "pushing $reg/xbake/busybox (Debian's busybox-static for ${DEB_ARCHES[*]})"
		(cd "$ROOT" && go run ./scripts/mkbase -tmp "$CACHE_DIR/tmp" "${args[@]}" "$reg/xbake/busybox:latest") ||
			die "making the busybox base image failed (go run ./scripts/mkbase)"
	fi
	ver=$(go_version)
	# The tag named after the Go version makes a host Go upgrade re-push.
	if ! image_present xbake/golang "$ver" || ! image_present xbake/golang latest; then
		args=()
		for arch in "${GO_ARCHES[@]}"; do
			args+=(-busybox "linux/$arch=$CACHE_DIR/busybox/${GO_DEB[$arch]}/busybox" -goroot "linux/$arch=$(goroot_for "$arch")")
		done
		log "pushing $reg/xbake/golang ($ver for ${GO_ARCHES[*]})"
		(cd "$ROOT" && go run ./scripts/mkbase -tmp "$CACHE_DIR/tmp" "${args[@]}" "$reg/xbake/golang:$ver" "$reg/xbake/golang:latest") ||
			die "making the golang base image failed (go run ./scripts/mkbase)"
	fi
}

# --- the Docker engine ---

# docker_cli runs the docker CLI against our engine only.
docker_cli() { DOCKER_CONTEXT= DOCKER_HOST=$DOCKER_ADDR DOCKER_CONFIG=$STATE_DIR/docker-cli docker "$@"; }

buildkit_image() { echo "xbake/buildkit:$(buildkit_version)"; }

# ensure_buildkit_image imports the image that docker-container builders
# run (DESIGN.md, "The local builder stack"): nothing can be pulled from
# the internet, so it is a root file system holding the stack's own
# buildkitd and buildctl, Debian's runc, the libraries they link and the
# stack's buildkitd.toml. A label records what it was made from.
ensure_buildkit_image() {
	local bin image stamp have rootfs f lib
	bin=$(buildkit_dir)/bin
	image=$(buildkit_image)
	stamp=$(stamp_of "$bin/buildkitd" "$bin/buildctl" "$(command -v runc)" "$ETC/buildkitd.toml")
	have=$(docker_cli image inspect -f '{{index .Config.Labels "xbake.stamp"}}' "$image" 2>/dev/null || true)
	[[ $have == "$stamp" ]] && return 0
	log "importing $image into the docker engine (buildkitd, buildctl and runc on a bare root file system)"
	rootfs=$(mktemp -d "$CACHE_DIR/tmp/buildkit-image.XXXXXX")
	mkdir -p "$rootfs"/{usr/bin,etc/buildkit,tmp,run,var/lib/buildkit,proc,sys,dev}
	install -m 0755 "$bin/buildkitd" "$bin/buildctl" "$(command -v runc)" "$rootfs/usr/bin/"
	cp "$ETC/buildkitd.toml" "$rootfs/etc/buildkit/buildkitd.toml"
	for f in "$rootfs"/usr/bin/*; do
		# "libc.so.6 => /lib/.../libc.so.6 (0x...)" and "/lib64/ld-linux-x86-64.so.2 (0x...)"
		while read -r lib; do
			[[ -n $lib && -e $lib ]] && cp --parents -L "$lib" "$rootfs/"
		done < <(ldd "$f" 2>/dev/null | awk '$2 == "=>" { print $3 } $1 ~ /^\// { print $1 }')
	done
	tar -C "$rootfs" -c . | docker_cli import \
		--change 'ENTRYPOINT ["buildkitd"]' \
		--change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
		--change "LABEL xbake.stamp=$stamp" - "$image" >/dev/null || {
		rm -rf "$rootfs"
		die "docker import of $image failed"
	}
	rm -rf "$rootfs"
}

# --- commands ---

cmd_up() {
	need_root up
	command -v go >/dev/null || die "go is not on PATH (expected at /usr/local/go/bin)"
	mkdir -p "$RUN_DIR" "$STATE_DIR" "$LOGS" "$CACHE_DIR/tmp"
	lock
	ensure_foreign_arches
	ensure_packages
	ensure_binfmt
	ensure_buildkit
	# Prefetch what the base images need before starting anything, so a
	# failed download leaves nothing half started.
	ensure_busybox
	local arch
	for arch in "${GO_ARCHES[@]}"; do goroot_for "$arch" >/dev/null; done
	write_configs

	local bkdir reg
	bkdir=$(buildkit_dir)
	BUILDCTL=$bkdir/bin/buildctl
	reg=$(command -v docker-registry || echo /usr/bin/docker-registry)
	ensure registry "$(stamp_of "$reg" "$ETC/registry.yml")" \
		"$reg" serve "$ETC/registry.yml"
	ensure auth-registry "$(stamp_of "$reg" "$ETC/auth-registry.yml" "$ETC/htpasswd")" \
		"$reg" serve "$ETC/auth-registry.yml"
	ensure buildkitd "$(stamp_of "$bkdir/bin/buildkitd" "$ETC/buildkitd.toml")" \
		"$bkdir/bin/buildkitd" --config "$ETC/buildkitd.toml" \
		--oci-worker=true --containerd-worker=false --oci-worker-binary=runc \
		--root "$STATE_DIR/buildkitd" --addr "$BUILDKIT_ADDR"
	ensure_images
	# Its own data root, exec root and socket keep it apart from any other
	# engine; localhost:5000 is plain http. --iptables=false: the sandbox
	# may not allow NAT rules, and builds need no outside network, but RUN
	# steps need a bridge (with --bridge=none they fail "network bridge not
	# found"), so the default one stays.
	ensure docker "$(stamp_of "$(command -v dockerd)")" \
		"$(command -v dockerd)" --data-root "$STATE_DIR/docker" --exec-root "$RUN_DIR/docker-exec" \
		--pidfile "$RUN_DIR/docker-daemon.pid" --host "$DOCKER_ADDR" \
		--insecure-registry "localhost:$REGISTRY_PORT" --iptables=false
	ensure_buildkit_image

	cat <<-EOF
		stack: up
		  buildkitd       $BUILDKIT_ADDR  (buildkit $(buildkit_version), pid $(pid_of buildkitd))
		  registry        localhost:$REGISTRY_PORT  (plain http, no auth)
		  auth registry   localhost:$AUTH_REGISTRY_PORT  (htpasswd: $AUTH_USER / $AUTH_PASSWORD)
		  base images     localhost:$REGISTRY_PORT/xbake/busybox  (${DEB_PLATFORM[amd64]}, ${DEB_PLATFORM[arm64]}, ${DEB_PLATFORM[armhf]})
		                  localhost:$REGISTRY_PORT/xbake/golang:$(go_version)  (linux/amd64, linux/arm64; also :latest)
		  docker engine   $DOCKER_ADDR  (dockerd $(dockerd --version | grep -o '[0-9][0-9.]*' | head -1), pid $(pid_of docker); image $(buildkit_image))
		  state           $STATE_DIR  (daemon root, registry storage, configs, logs in $LOGS)
		  cache           $CACHE_DIR  (buildkit binaries, .debs, toolchains)
		  pid files       $RUN_DIR
		  test env        eval "\$(scripts/stack.sh env)"
		  stop            make down
	EOF
}

cmd_down() {
	need_root down
	lock
	local names=("$@") name
	((${#names[@]})) || names=(docker buildkitd auth-registry registry)
	for name in "${names[@]}"; do
		marker "$name" >/dev/null
		stop "$name"
	done
}

cmd_status() {
	local name pid ok=0
	BUILDCTL=$(buildkit_dir)/bin/buildctl
	for name in "${COMPONENTS[@]}"; do
		if pid=$(pid_of "$name"); then
			if answers "$name"; then
				printf '%-14s running   %s (pid %s)\n' "$name" "$(address_of "$name")" "$pid"
			else
				printf '%-14s STUCK     %s (pid %s does not answer)\n' "$name" "$(address_of "$name")" "$pid"
				ok=1
			fi
		else
			printf '%-14s stopped   %s\n' "$name" "$(address_of "$name")"
			ok=1
		fi
	done
	printf 'state in %s, cache in %s, pid files in %s\n' "$STATE_DIR" "$CACHE_DIR" "$RUN_DIR"
	return $ok
}

cmd_running() {
	local name
	for name in "${COMPONENTS[@]}"; do
		pid_of "$name" >/dev/null && echo "$name"
	done
	return 0
}

cmd_env() {
	printf 'export %s=%q\n' \
		BUILDKIT_HOST "$BUILDKIT_ADDR" \
		XBAKE_REGISTRY "localhost:$REGISTRY_PORT" \
		XBAKE_AUTH_REGISTRY "localhost:$AUTH_REGISTRY_PORT" \
		XBAKE_AUTH_USER "$AUTH_USER" \
		XBAKE_AUTH_PASSWORD "$AUTH_PASSWORD" \
		XBAKE_BUILDKITD "$(buildkit_dir)/bin/buildkitd" \
		XBAKE_BUILDKITD_CONFIG "$ETC/buildkitd.toml" \
		XBAKE_DOCKER_HOST "$DOCKER_ADDR" \
		XBAKE_BUILDKIT_IMAGE "$(buildkit_image)"
}

main() {
	local cmd=${1:-}
	[[ $# -gt 0 ]] && shift
	case $cmd in
	up) cmd_up ;;
	down) cmd_down "$@" ;;
	status) cmd_status ;;
	running) cmd_running ;;
	env) cmd_env ;;
	*)
		echo "usage: $0 up|down [component...]|status|env|running" >&2
		exit 2
		;;
	esac
}

main "$@"
