#!/bin/sh
# Run one libFuzzer target for a bounded time and print one verdict line:
#   PASS: fuzz.X (N runs)        or        FAIL: fuzz.X: <reason>
#   scripts/fuzz-smoke.sh build/fuzz/fuzz_X
# Environment: FUZZ_SECONDS (default 20).
# The corpus grows in build/fuzz-corpus/X/; seeds are read from
# tests/fuzz/corpus/X/ when it exists. The full log is kept in
# build/fuzz-out/X.log, a crashing input in build/fuzz-out/X/.
set -u
cd "$(dirname "$0")/.."

bin=${1:?usage: scripts/fuzz-smoke.sh build/fuzz/fuzz_X}
name=$(basename "$bin")
x=${name#fuzz_}
secs=${FUZZ_SECONDS:-20}
corpus=build/fuzz-corpus/$x
seeds=tests/fuzz/corpus/$x
outdir=build/fuzz-out
log=$outdir/$x.log
artifacts=$outdir/$x/

fail() {
	echo "FAIL: fuzz.$x: $*"
	exit 1
}

[ -x "$bin" ] || fail "$bin is not built"
case "$secs" in '' | *[!0-9]*) fail "FUZZ_SECONDS=$secs is not a number" ;; esac
mkdir -p "$corpus" "$artifacts"
set -- "$corpus"
[ -d "$seeds" ] && set -- "$corpus" "$seeds"

# -timeout: one input running for 10 s is a hang. The first corpus directory
# receives new inputs; the seeds are only read.
"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
	-artifact_prefix="$artifacts" "$@" >"$log" 2>&1
rc=$?

runs=$(sed -n 's/^stat::number_of_executed_units: *\([0-9]*\).*/\1/p' "$log" | tail -1)
[ -n "$runs" ] || runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -1)
artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
where=${artifact:+ (input: $artifact, log: $log)}
[ -n "$where" ] || where=" (log: $log)"

reason=$(grep -m1 -E 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer)' "$log" |
	sed 's/^==[0-9]*== *//; s/ on address.*//; s/ on unknown address.*//')
[ -n "$reason" ] || reason=$(grep -m1 'runtime error:' "$log" | sed 's/^[^ ]* //')
[ -n "$reason" ] || reason=$(grep -m1 '^panic:' "$log")

if [ $rc -ne 0 ]; then
	[ -n "$reason" ] || reason="exited $rc"
	fail "$reason$where"
fi
# UBSan without abort-on-error reports and goes on: still a failure.
[ -n "$reason" ] && fail "$reason$where"
[ -n "$runs" ] || fail "no run count in the fuzzer's output$where"
[ "$runs" -gt 0 ] || fail "no inputs executed$where"
echo "PASS: fuzz.$x ($runs runs)"
