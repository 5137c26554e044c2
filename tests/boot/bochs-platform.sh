#!/bin/sh
# The PC platform devices (UART, PIT, RTC, system ports) in Bochs: the
# platform guest checks them from inside and powers off with its verdict;
# two guests reset their machine (keyboard controller, port 0xcf9) and
# must be stopped for a reboot (on_reboot=stop; the Linux test covers
# restart). Guest verdict lines become our verdicts.
. tests/boot/lib.sh
rc=0
G=build/guests
model=${MODEL:-corei7_skylake_x}
t_begin "platform"
iso=$(t_iso "exit=bochs" \
	--module "$G/platform.bin" "name=platform mode=long64 load=0x100000" \
	--module "$G/reset-kbd.bin" "name=reset-kbd mode=long64 load=0x100000 on_reboot=stop" \
	--module "$G/reset-cf9.bin" "name=reset-cf9 mode=long64 load=0x100000 on_reboot=stop")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --model "$model" --out "$T_OUT" \
	--timeout 300 --until '^BASALT-DONE|PANIC' || true
tr -d '\r' < "$T_OUT/com1.txt" > "$T_OUT/com1.log"
sed -n 's/^\([a-z0-9-]*\): \(PASS\|FAIL\): \(.*\)$/\2: guest.\3/p' "$T_OUT/com1.log"
t_expect '^platform: PASS: rtc.reg-c-flags' "the platform guest ran to the end"
t_reject '^platform: FAIL' "a platform check failed"
t_expect '^\[ *[0-9.]+\] platform: stopped: powered off by the guest \(code 0\)' \
	"platform powered off cleanly"
t_expect '^reset-kbd: PASS: reset.kbc-status' "keyboard controller status"
t_expect '^\[ *[0-9.]+\] reset-kbd: stopped: reset by the keyboard controller' \
	"reboot through the keyboard controller"
t_expect '^\[ *[0-9.]+\] reset-cf9: stopped: reset through port 0xcf9' "reboot through port 0xcf9"
t_reject 'reset\.still-running' "a reset that did not stop its VM"
t_expect 'vmm: all guests have stopped' "all guests ran"
t_expect '^BASALT-DONE' "clean end"
t_reject 'PANIC|pages not returned' "host damage"
t_end || rc=1
exit $rc
