#!/bin/bash
# The monitor, driven over COM1 (Bochs serves COM1 on a local TCP port):
# Ctrl-A m opens the prompt; list, pause, resume, exits, stop and restart
# act on running VMs; unknown commands and names are answered, not fatal.
. tests/boot/lib.sh
G=build/guests
t_begin monitor
port=$((20000 + $$ % 20000))
iso=$(t_iso "exit=bochs" \
	--module "$G/idle.bin" "name=alpha mode=long64 load=0x100000" \
	--module "$G/idle.bin" "name=beta mode=long64 load=0x100000" \
	--module "$G/idle.bin" "name=gamma mode=long64 load=0x100000")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 300 --com1-socket "$port" &
bochs_pid=$!
log="$T_OUT/com1.txt"
for _ in $(seq 100); do
	{ exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null && break
	sleep 0.2
done
cat <&3 > "$log" &
cat_pid=$!
wait_for() { # wait_for REGEX SECONDS
	for _ in $(seq $(($2 * 10))); do
		tr -d '\r' < "$log" | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}
send() { printf '%b' "$1" >&3; sleep 0.5; }
if wait_for '^gamma: waiting' 120; then
	send '\001m'
	send 'list\r'
	send 'pause alpha\r'
	send 'list\r'
	send 'resume alpha\r'
	send 'exits beta\r'
	send 'frobnicate beta\r'
	send 'stop nosuch\r'
	send 'stop gamma\r'
	send 'restart gamma\r'
	for _ in $(seq 300); do # until gamma runs again
		[ "$(tr -d '\r' < "$log" | grep -c 'gamma: waiting')" -ge 2 ] && break
		sleep 0.1
	done
	send 'stop alpha\r'
	send 'stop beta\r'
	send 'stop gamma\r'
	send 'quit\r'
else
	T_FAILS="$T_FAILS; the guests never started"
fi
wait_for '^BASALT-DONE' 200
pkill -P "$bochs_pid" 2>/dev/null # Bochs itself (through timeout), not only the runner
kill "$cat_pid" "$bochs_pid" 2>/dev/null
exec 3>&-
wait 2>/dev/null
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
[ "$(tr -d '\r' < "$log" | grep -c 'gamma: waiting')" = 2 ] || T_FAILS="$T_FAILS; gamma did not run again"
t_expect 'alpha: stopped: stopped by the operator' "stopping the rest"
t_expect 'vmm: all guests have stopped' "every VM stopped"
t_expect '^BASALT-DONE' "run ended"
t_reject 'PANIC' "panic"
t_end
