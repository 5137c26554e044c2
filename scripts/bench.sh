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

echo "== Linux boot cost: the minimal kernel to its /init marker (model $model) =="
# Both boots run the same bzImage, initramfs and command line with 128 MiB;
# /bin/tscmark prints the TSC when /init runs. Under Basalt the start is
# the VM's first instruction (Basalt logs its TSC); natively it is GRUB's
# entry into the kernel, taken from the same GRUB loading the same files
# into guest-images/linux/entry-stub.S instead.
# Run twice: as the test boots it (kernel messages on the serial console),
# and with `quiet`: Bochs's own UART paces output at the line speed while
# Basalt's takes each byte at once, so the quiet pair compares the rest.
linux_boot() { # linux_boot LABEL EXTRA-CMDLINE
	lcmd="console=ttyS0,115200 io_delay=none${2:+ $2}"
	lo=$out/linux-$1
	mkdir -p "$lo"
	cat > "$lo/linux.manifest" <<M
[hypervisor]
on_all_stopped = poweroff

[vm.linux]
memory = 128M
kernel = "linux/bzImage"
initrd = "linux/initramfs.cpio.gz"
format = linux
cmdline = "$lcmd"
M
	scripts/mkimage.sh "$lo/linux.manifest" --root build --out "$lo/linux.iso" \
		--cmdline "exit=bochs" > /dev/null
	scripts/run-bochs.sh --iso "$lo/linux.iso" --cpus 1 --model "$model" --out "$lo/run" \
		--timeout 900 --until '^BASALT-DONE|PANIC' || true
	guest-images/linux/run-native.sh --megs 128 --entry-stub ${2:+--cmdline "$2"} \
		> "$lo/native-entry.txt" 2>&1 || true
	guest-images/linux/run-native.sh --megs 128 ${2:+--cmdline "$2"} > "$lo/native.txt" 2>&1 || true
	tr -d '\r' < "$lo/run/com1.txt" > "$lo/linux.log"
	tr -d '\r' < build/linux/native/com1.txt > "$lo/native.log"
	b_entry=$(num '.*linux: first guest instruction at TSC \([0-9]*\),.*' "$lo/linux.log")
	b_core=$(num ".*linux: first guest instruction at TSC [0-9]*, \([0-9]*\) ticks after Basalt's entry.*" "$lo/linux.log")
	b_init=$(num '^linux: BASALT-LINUX-INIT tsc=\([0-9]*\).*' "$lo/linux.log")
	n_entry=$(num '^BASALT-ENTRY tsc=\([0-9]*\).*' "$lo/native-entry.txt")
	n_init=$(num '^BASALT-LINUX-INIT tsc=\([0-9]*\).*' "$lo/native.log")
	exits=$(sed -n 's/.*linux: vCPU 0 on cpu[0-9]* ran [0-9]* ticks; exits: //p' "$lo/linux.log" | head -1)
	if [ -z "$b_entry" ] || [ -z "$b_init" ] || [ -z "$n_entry" ] || [ -z "$n_init" ]; then
		echo "bench: Linux boot ($1): missing figures (see $lo/linux.log, $lo/native.log, $lo/native-entry.txt)"
		return 1
	fi
	echo "-- command line: $lcmd"
	awk -v label="$1" -v be="$b_entry" -v bi="$b_init" -v ne="$n_entry" -v ni="$n_init" \
		-v core="$b_core" -v exits="$exits" 'BEGIN {
		b = bi - be; n = ni - ne
		printf "  under Basalt: %d ticks from the first guest instruction to /init\n", b
		printf "  native:       %d ticks from GRUB'"'"'s kernel entry to /init\n", n
		printf "  ratio:        %.3f (goal <= 1.05)\n", b / n
		printf "  Basalt entry to the guest'"'"'s first instruction: %d ticks\n", core
		printf "  exits during the boot (to power-off): %s\n", exits
		printf "BENCH-JSON {\"bench\":\"linux-boot-%s\",\"basalt_ticks\":%d,\"native_ticks\":%d,\"ratio\":%.4f,\"core_to_guest_ticks\":%d}\n", label, b, n, b / n, core
	}' | tee -a "$out/results.txt"
}
num() { sed -n "s/$1/\\1/p" "$2" | head -1; }
linux_boot console "" || exit 1
linux_boot quiet quiet || exit 1
