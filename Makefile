# Build, test and run xbake with its local builder stack.
#
# `make up` installs and starts the stack (scripts/stack.sh: buildkitd, two
# registries, base images, a Docker engine; Linux and root needed) and
# `make down` stops it.
# `make test`, `make demo` and `make bench` run with the stack's address in
# the environment (`scripts/stack.sh env` prints it):
#
#   BUILDKIT_HOST        the buildkitd address, unix:///run/xbake/buildkitd.sock
#   XBAKE_REGISTRY       plain-http registry without auth, localhost:5000
#   XBAKE_AUTH_REGISTRY  plain-http registry with htpasswd auth, localhost:5001
#   XBAKE_AUTH_USER      that registry's test user
#   XBAKE_AUTH_PASSWORD  and its password
#   XBAKE_BUILDKITD      the buildkitd binary, for tests that start more daemons
#   XBAKE_BUILDKITD_CONFIG  the stack's buildkitd.toml (its registry settings)
#   XBAKE_DOCKER_HOST    the stack's Docker engine, unix:///run/xbake/docker.sock
#   XBAKE_BUILDKIT_IMAGE the BuildKit image in that engine, for docker-container builders
#
# Integration tests skip when these are unset or the stack does not answer,
# except when CI is set: there they fail (executor/executortest.Stack).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := build

GO ?= go
STACK := scripts/stack.sh
# -count=1: the integration tests depend on daemons and registries whose
# state go test cannot see, so a cached pass would prove nothing.
TESTFLAGS ?= -count=1 -timeout 15m
# The race detector runs on every package except NORACE_PKGS: cmd/xbake's
# script tests re-execute the CLI hundreds of times and each run of a
# -race binary costs about a second (2 minutes in all instead of 10 s),
# while the concurrency they drive lives in executor, tested with -race.
RACE ?= -race
NORACE_PKGS ?= github.com/xbake/xbake/cmd/xbake
FUZZTIME ?= 20s
STATICCHECK ?= v0.8.2
BENCHFLAGS ?=
WITH_STACK_ENV = eval "$$($(STACK) env)"

.PHONY: build test lint bench bench-emulation fuzz demo up down status

# The pair that starts fast (cmd/xbake/engine.go): bin/xbake is the front
# build, which runs --print, --list, --plan, graph and the like itself and
# hands builds, imagetools, builder, doctor and Compose files to
# bin/xbake-engine, the full build (scripts/build.sh, which releases and
# the Action use too).
# `go build ./cmd/xbake` alone gives one full binary.
build:
	GO="$(GO)" scripts/build.sh bin

test: up
	@echo "go test $(RACE) $(TESTFLAGS) ./... except $(NORACE_PKGS), then those without $(RACE)"
	@$(WITH_STACK_ENV); \
	pkgs=$$($(GO) list -e ./...); \
	skip=$$(tr ' ' '\n' <<<"$(NORACE_PKGS)"); \
	race=$$(grep -vxF -e "$$skip" <<<"$$pkgs" || true); \
	norace=$$(grep -xF -e "$$skip" <<<"$$pkgs" || true); \
	rc=0; \
	$(GO) test $(RACE) $(TESTFLAGS) $$race || rc=$$?; \
	if [[ -n $$norace ]]; then $(GO) test $(TESTFLAGS) $$norace || rc=$$?; fi; \
	exit $$rc

lint:
	@files=$$(find . -name '*.go' -not -path './.git/*' -not -path '*/testdata/*'); \
	unformatted=$$(gofmt -l $$files); \
	if [[ -n $$unformatted ]]; then echo "gofmt -l lists files to format:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) ./...
	@# The front build (cmd/xbake/engine.go); its tests run in the full one.
	$(GO) build -tags xbakefront -o /dev/null ./cmd/xbake
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK) -tests=false -tags xbakefront ./cmd/xbake

# Benchmarks that need the stack skip when it is not up.
bench:
	$(WITH_STACK_ENV) && $(GO) test -run '^$$' -bench . -benchmem $(BENCHFLAGS) ./...

fuzz:
	FUZZTIME=$(FUZZTIME) scripts/fuzz.sh

# examples/hello built for linux/amd64, arm64 and arm/v7, pushed as one
# index, inspected, each platform's binary run (arm through QEMU), written
# as per-platform docker archives, loaded into the stack's Docker engine
# and run there, a failing smoke test that keeps the tag, and --plan
# --explain (scripts/demo.sh; idempotent).
demo: up
	$(WITH_STACK_ENV) && scripts/demo.sh

# Cold builds of examples/hello cross-compiled and under QEMU emulation,
# with both wall times and their ratio (scripts/bench-emulation.sh).
bench-emulation: up
	$(WITH_STACK_ENV) && scripts/bench-emulation.sh

# Static binaries stamped with version, commit and date, for every
# platform of RELEASE_PLATFORMS, into dist/ with SHA256SUMS: the pair
# xbake-OS-ARCH and xbake-engine-OS-ARCH, one xbake-windows-ARCH.exe
# (scripts/release.sh; `make release VERSION=v1.2.3` names the version,
# git describe otherwise).
RELEASE_PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

.PHONY: release
release:
	PLATFORMS="$(RELEASE_PLATFORMS)" scripts/release.sh

up:
	$(STACK) up

down:
	$(STACK) down

status:
	$(STACK) status
