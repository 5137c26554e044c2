#!/bin/sh
# Isolation and life cycle, three VMs on two CPUs: one triple-faults and is
# restarted per on_crash=restart (until the restart limit), one powers off
# at once, one keeps printing whole lines. The others are unaffected and the
# run ends with a power-off once every VM has stopped.
. tests/boot/lib.sh
G=build/guests
t_begin lifecycle
iso=$(t_iso "exit=bochs sched.quantum=1000" \
	--module "$G/triple.bin" "name=crasher mode=long64 load=0x100000 on_crash=restart" \
	--module "$G/cpuid.bin" "name=quitter mode=long64 load=0x100000" \
	--module "$G/printer.bin" "name=printer mode=long64 load=0x100000")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 600 \
	--until '^BASALT-DONE|PANIC' || true
tr -d '\r' < "$T_OUT/com1.txt" > "$T_OUT/com1.log"
t_expect 'crasher: stopped: triple fault' "the crash"
t_expect 'vmm: crasher: restarting \(1 of 3\)' "restart per on_crash"
t_expect 'vmm: error: crasher: restarted 3 times; leaving it stopped' "restart limit"
[ "$(grep -c 'crasher: stopped: triple fault' "$T_OUT/com1.log")" = 4 ] ||
	T_FAILS="$T_FAILS; expected 4 crashes (first run + 3 restarts)"
t_expect 'quitter: stopped: powered off by the guest \(code 0\)' "clean power-off"
t_reject 'vmm: quitter: restarting' "power-off restarted without on_poweroff"
n=$(grep -c '^printer: line [0-9]* of 40: the quick brown fox jumps over the lazy dog$' "$T_OUT/com1.log")
[ "$n" = 40 ] || T_FAILS="$T_FAILS; printer: $n of 40 whole lines"
t_expect 'printer: stopped: powered off by the guest \(code 0\)' "printer finished"
t_expect 'vmm: all guests have stopped' "every VM stopped"
t_expect '^basalt: powering off' "power-off at the end"
t_reject 'PANIC|pages not returned' "host damage"
t_end
