#!/bin/sh
# Run every test and count verdict lines. Each test prints one line per
# case, "PASS: name" or "FAIL: name: why"; this script prints them all and
# ends with "N passed, N failed". Exit status 1 if anything failed.
#   scripts/test.sh [--unit-only] [--boot-only] [FILTER]
set -u
cd "$(dirname "$0")/.."
unit=1 boot=1 filter=""
for a in "$@"; do
	case "$a" in
	--unit-only) boot=0 ;;
	--boot-only) unit=0 ;;
	*) filter="$a" ;;
	esac
done
log=build/test-out/results.txt
mkdir -p build/test-out
: > "$log"
start=$(date +%s)

run() { # run CMD...: record its verdict lines; a crash without one is a failure
	name="$1"; shift
	out=$("$@" 2>&1); rc=$?
	lines=$(printf '%s\n' "$out" | grep -E '^(PASS|FAIL): ')
	[ -n "$lines" ] && printf '%s\n' "$lines" | tee -a "$log"
	if [ $rc -ne 0 ] && ! printf '%s\n' "$lines" | grep -q '^FAIL: '; then
		echo "FAIL: $name: exited $rc without a verdict" | tee -a "$log"
		printf '%s\n' "$out" | tail -20
	fi
	if [ -z "$lines" ] && [ $rc -eq 0 ]; then
		echo "FAIL: $name: printed no verdict" | tee -a "$log"
	fi
}

if [ $unit = 1 ]; then
	run check.layers scripts/check-layers.sh
	for t in build/unit/test_*; do
		[ -x "$t" ] || continue
		case "$t" in *"$filter"*) ;; *) continue ;; esac
		run "unit.$(basename "$t")" "$t"
	done
	for f in build/fuzz/fuzz_*; do
		[ -x "$f" ] || continue
		case "$f" in *"$filter"*) ;; *) continue ;; esac
		run "fuzz.$(basename "$f")" scripts/fuzz-smoke.sh "$f"
	done
fi
if [ $boot = 1 ]; then
	for t in tests/boot/*.sh; do
		[ "$(basename "$t")" = lib.sh ] && continue
		case "$t" in *"$filter"*) ;; *) continue ;; esac
		run "boot.$(basename "$t" .sh)" "./$t"
	done
fi
pass=$(grep -c '^PASS: ' "$log")
fail=$(grep -c '^FAIL: ' "$log")
echo "test time: $(( $(date +%s) - start )) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
