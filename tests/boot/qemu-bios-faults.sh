#!/bin/sh
# QEMU (SeaBIOS + GRUB ISO): every kind of fault inside the hypervisor ends
# in a report (what, where, registers, backtrace) and a clean stop. The
# write to core text and the jump into data prove the W^X page tables.
. tests/boot/lib.sh
rc=0
fault() { # fault NAME SELFTEST EXPECTED-REPORT-REGEX
	t_begin "qemu-fault-$1"
	iso=$(t_iso "exit=qemu selftest=$2")
	scripts/run-qemu.sh --iso "$iso" --serial "$T_OUT/com1.txt" --timeout 60 \
		2>"$T_OUT/run.txt" || true
	t_expect "selftest: running $2" "selftest started"
	t_expect "PANIC on cpu0: " "panic line"
	t_expect "$3" "fault report"
	[ "$2" = panic ] || t_expect '^RIP 0x[0-9a-f]+  CS 0x8 ' "register dump"
	t_expect '^backtrace: 0x[0-9a-f]+' "backtrace"
	t_reject 'did not fault|BASALT-DONE' "carrying on after the fault"
	# isa-debug-exit with the failure code: QEMU exits with status 3
	grep -q 'qemu exited (status 3)' "$T_OUT/run.txt" ||
		T_FAILS="$T_FAILS; no clean stop with a failure code ($(cat "$T_OUT/run.txt"))"
	t_end || rc=1
}
fault pagefault pagefault 'page fault at 0x8: page not present, read'
fault ud ud 'PANIC on cpu0: invalid opcode \(vector 6\)'
fault wx-text wx-text 'page fault at 0x[0-9a-f]+: protection violation, write'
fault nx-data nx-data 'page fault at 0x[0-9a-f]+: protection violation, instruction fetch'
fault panic panic 'PANIC on cpu0: selftest: deliberate panic'
exit $rc
