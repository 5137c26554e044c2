#!/bin/bash
# A Linux guest's busybox shell, typed into through Basalt's console: COM1
# is a TCP socket (as in the monitor test); Ctrl-A 1 gives the keyboard to
# the VM, whose UART receives the keys and whose tty echoes them. The shell
# computes something only it could, and `poweroff -f` ends the VM.
. tests/boot/lib.sh
t_begin linux-shell
cat > "$T_OUT/shell.manifest" <<M
[hypervisor]
on_all_stopped = poweroff

[vm.linux]
memory = 128M
kernel = "linux/bzImage"
initrd = "linux/initramfs.cpio.gz"
format = linux
cmdline = "console=ttyS0,115200 io_delay=none panic=-1 quiet basalt.shell"
M
scripts/mkimage.sh "$T_OUT/shell.manifest" --root build --out "$T_OUT/basalt.iso" \
	--cmdline "exit=bochs" > "$T_OUT/mkimage.txt" 2>&1 ||
	T_FAILS="$T_FAILS; mkimage failed: $(cat "$T_OUT/mkimage.txt")"
port=$((20000 + $$ % 20000))
scripts/run-bochs.sh --iso "$T_OUT/basalt.iso" --cpus 2 --out "$T_OUT" --timeout 600 \
	--com1-socket "$port" &
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
if wait_for '^linux: BASALT-LINUX-SHELL' 300; then
	sleep 2 # the shell's prompt
	send '\001' # Ctrl-A, then 1 (apart: "\0011" would be one octal escape)
	send '1'
	send 'echo shell-says-$((6 * 7)) on $(uname -s)\r'
	wait_for '^linux: .*shell-says-42 on Linux' 60
	send 'poweroff -f\r'
else
	T_FAILS="$T_FAILS; the shell never started"
fi
wait_for '^BASALT-DONE' 120
# run-bochs.sh's own children too (timeout passes the signal to Bochs), or a
# Bochs left waiting would hold the emulator lock for the next test
pkill -P "$bochs_pid" 2>/dev/null
kill "$cat_pid" "$bochs_pid" 2>/dev/null
exec 3>&-
wait 2>/dev/null
tr -d '\r' < "$log" > "$T_OUT/com1.log"
t_expect '^linux: BASALT-LINUX-INIT' "/init runs"
t_expect '^linux: BASALT-LINUX-SHELL' "the shell starts"
t_expect '^linux: .*shell-says-42 on Linux$' "keys reach the shell, its answer comes back"
t_expect 'linux: stopped: ACPI S5 power-off' "poweroff typed into the shell ends the VM"
t_expect '^BASALT-DONE' "run ended"
t_reject 'linux: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end
