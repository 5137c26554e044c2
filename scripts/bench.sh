#!/bin/sh
# Benchmarks, in Bochs ticks (Bochs's TSC counts instructions, so every run
# gives the same numbers). Prints each benchmark's table and JSON line and
# writes them to build/bench/results.txt.
#   scripts/bench.sh [--model M]
set -eu
cd "$(dirname "$0")/.."
model=corei7_skylake_x
[ "${1:-}" = --model ] && model="$2"
out=build/bench
mkdir -p "$out"
: > "$out/results.txt"

echo "== VM-exit round trips (model $model) =="
scripts/mkiso.sh "$out/exits.iso" build/basalt.elf --cmdline "exit=bochs" \
	--module build/guests/bench.bin "name=bench mode=long64 load=0x100000"
scripts/run-bochs.sh --iso "$out/exits.iso" --cpus 1 --model "$model" --out "$out/exits" \
	--timeout 300 --until '^BASALT-DONE|PANIC' || true
tr -d '\r' < "$out/exits/com1.txt" | sed -n 's/^bench: //p' | grep -v '^PASS\|^FAIL' |
	tee -a "$out/results.txt"
tr -d '\r' < "$out/exits/com1.txt" | grep -E '^bench: (PASS|FAIL)' | sed 's/^bench: //' |
	tee -a "$out/results.txt"
grep -q 'BENCH-JSON' "$out/results.txt" || { echo "bench: no results (see $out/exits/com1.txt)"; exit 1; }
