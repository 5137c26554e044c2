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
com1_start "$T_OUT/basalt.iso" 600
if com1_wait '^linux: BASALT-LINUX-SHELL' 300; then
	sleep 2 # the shell's prompt
	com1_send '\001' # Ctrl-A, then 1 (apart: "\0011" would be one octal escape)
	com1_send '1'
	com1_send 'echo shell-says-$((6 * 7)) on $(uname -s)\r'
	com1_wait '^linux: .*shell-says-42 on Linux' 60
	com1_send 'poweroff -f\r'
else
	T_FAILS="$T_FAILS; the shell never started"
fi
com1_wait '^BASALT-DONE' 120
com1_stop
t_expect '^linux: BASALT-LINUX-INIT' "/init runs"
t_expect '^linux: BASALT-LINUX-SHELL' "the shell starts"
t_expect '^linux: .*shell-says-42 on Linux$' "keys reach the shell, its answer comes back"
t_expect 'linux: stopped: ACPI S5 power-off' "poweroff typed into the shell ends the VM"
t_expect '^BASALT-DONE' "run ended"
t_reject 'linux: (error|warning):|Kernel panic|PANIC|pages not returned' "no errors"
t_end
