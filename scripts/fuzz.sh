#!/usr/bin/env bash
# Runs every native fuzz target of the module for FUZZTIME (default 20s)
# each: `go test -fuzz` takes one package and one target per run, so the
# targets are found first (grep narrows the packages, `go test -list`
# gives the names the build really has).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
FUZZTIME=${FUZZTIME:-20s}

mapfile -t dirs < <(grep -rlE --include='*_test.go' --exclude-dir=testdata --exclude-dir=.git \
	'^func Fuzz[A-Za-z0-9_]*\(' . | xargs -r -n1 dirname | sort -u)
ran=0
failed=()
for dir in "${dirs[@]}"; do
	mapfile -t targets < <(go test -list '^Fuzz' "$dir" | grep -E '^Fuzz' || true)
	for target in "${targets[@]}"; do
		echo "fuzz: $dir $target for $FUZZTIME"
		ran=$((ran + 1))
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$FUZZTIME" "$dir" || failed+=("$dir $target")
	done
done
if ((ran == 0)); then
	echo "fuzz: no fuzz targets (func FuzzXxx(f *testing.F)) in the module"
	exit 0
fi
if ((${#failed[@]})); then
	echo "fuzz: ${#failed[@]} of $ran targets failed (a failing input is saved under the package's testdata/fuzz):" >&2
	printf '  %s\n' "${failed[@]}" >&2
	exit 1
fi
echo "fuzz: $ran targets ran for $FUZZTIME each without failure"
