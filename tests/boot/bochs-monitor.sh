#!/bin/bash
# The monitor, driven over COM1 (Bochs serves COM1 on a local TCP port):
# Ctrl-A m opens the prompt; list, pause, resume, exits, stop and restart
# act on running VMs; unknown commands and names are answered, not fatal.
. tests/boot/lib.sh
G=build/guests
t_begin monitor
iso=$(t_iso "exit=bochs" \
	--module "$G/idle.bin" "name=alpha mode=long64 load=0x100000" \
	--module "$G/idle.bin" "name=beta mode=long64 load=0x100000" \
	--module "$G/idle.bin" "name=gamma mode=long64 load=0x100000")
com1_start "$iso" 300
if com1_wait '^gamma: waiting' 120; then
	com1_send '\001m'
	com1_send 'list\r'
	com1_send 'pause alpha\r'
	com1_send 'list\r'
	com1_send 'resume alpha\r'
	com1_send 'exits beta\r'
	com1_send 'frobnicate beta\r'
	com1_send 'stop nosuch\r'
	com1_send 'stop gamma\r'
	com1_send 'restart gamma\r'
	for _ in $(seq 300); do # until gamma runs again
		[ "$(tr -d '\r' < "$T_OUT/com1.txt" | grep -c 'gamma: waiting')" -ge 2 ] && break
		sleep 0.1
	done
	com1_send 'stop alpha\r'
	com1_send 'stop beta\r'
	com1_send 'stop gamma\r'
	com1_send 'quit\r'
else
	T_FAILS="$T_FAILS; the guests never started"
fi
com1_wait '^BASALT-DONE' 200
com1_stop
t_expect 'basalt> list' "prompt and echo"
t_expect '^1 alpha +running +vcpu0@cpu' "list shows running VMs with their CPUs"
t_expect '^alpha paused' "pause"
t_expect '^1 alpha +paused' "list shows the pause"
t_expect '^alpha resumed' "resume"
t_expect '^beta vcpu0:.*HLT=1' "exit counters"
t_expect "unknown command 'frobnicate'" "unknown command answered"
t_expect "no VM called 'nosuch'" "unknown VM answered"
t_expect 'gamma: stopped: stopped by the operator' "stop"
t_expect 'vmm: gamma: (re)?starting \(operator\)' "restart"
[ "$(tr -d '\r' < "$T_OUT/com1.txt" | grep -c 'gamma: waiting')" = 2 ] || T_FAILS="$T_FAILS; gamma did not run again"
t_expect 'alpha: stopped: stopped by the operator' "stopping the rest"
t_expect 'vmm: all guests have stopped' "every VM stopped"
t_expect '^BASALT-DONE' "run ended"
t_reject 'PANIC' "panic"
t_end
