#!/bin/sh
# The boot manifest, end to end in Bochs with two CPUs.
#  1. scripts/mkimage.sh builds the ISO from docs/examples/test-lifecycle.manifest:
#     three VMs start from it, the crasher follows on_crash = restart, and
#     on_all_stopped = poweroff ends the run.
#  2. A manifest that is wrong for this machine (a CPU it lacks) and one with
#     a syntax error: each message "file:line: ..." is printed and no VM starts.
. tests/boot/lib.sh
rc=0

t_begin manifest-good
scripts/mkimage.sh docs/examples/test-lifecycle.manifest --root build \
	--out "$T_OUT/basalt.iso" --cmdline "exit=bochs" > "$T_OUT/mkimage.txt" 2>&1 ||
	T_FAILS="$T_FAILS; mkimage failed: $(cat "$T_OUT/mkimage.txt")"
scripts/run-bochs.sh --iso "$T_OUT/basalt.iso" --cpus 2 --out "$T_OUT" --timeout 300 \
	--until '^BASALT-DONE|PANIC' || true
t_expect 'vmm: manifest test-lifecycle.manifest: 3 VMs' "manifest read"
t_expect 'quitter: PASS: mb32.cmdline' "cmdline from the manifest"
t_expect 'quitter: vCPU 0 on cpu1 ' "pinning (cpus = [1])"
t_expect 'vmm: crasher: restarting \(1 of 3\)' "on_crash = restart"
t_expect 'printer: stopped: powered off by the guest' "printer ran"
t_expect '^basalt: powering off' "on_all_stopped = poweroff"
t_reject 'PANIC|pages not returned' "host damage"
t_end || rc=1

t_begin manifest-bad
cat > "$T_OUT/bad.manifest" <<'M'
[hypervisor]
quantum = 5ms

[vm.one]
memory = 8M
kernel = "guests/mb32.elf"
cpus = [5]

[vm.two]
memroy = 8M
kernel = "guests/missing.elf"
M
scripts/mkiso.sh "$T_OUT/basalt.iso" build/basalt.elf --cmdline "exit=bochs on_done=poweroff" \
	--file "$T_OUT/bad.manifest" bad.manifest --file build/guests/mb32.elf guests/mb32.elf
scripts/run-bochs.sh --iso "$T_OUT/basalt.iso" --cpus 2 --out "$T_OUT" --timeout 300 \
	--until '^BASALT-DONE|PANIC' || true
t_expect "^bad.manifest:10: unknown key 'memroy'.*did you mean 'memory'" "misspelt key, with suggestion"
t_expect 'vmm: error: the manifest has errors: no VM started' "nothing starts"
t_reject 'vmm: (one|two): starting' "a VM started"
t_expect '^BASALT-DONE' "clean end"
t_end || rc=1

t_begin manifest-machine
cat > "$T_OUT/machine.manifest" <<'M'
[vm.one]
memory = 8M
kernel = "guests/mb32.elf"
cpus = [5]
M
scripts/mkiso.sh "$T_OUT/basalt.iso" build/basalt.elf --cmdline "exit=bochs on_done=poweroff" \
	--file "$T_OUT/machine.manifest" machine.manifest --file build/guests/mb32.elf guests/mb32.elf
scripts/run-bochs.sh --iso "$T_OUT/basalt.iso" --cpus 2 --out "$T_OUT" --timeout 300 \
	--until '^BASALT-DONE|PANIC' || true
t_expect '^machine.manifest:4: .*5' "a CPU this machine lacks"
t_expect 'vmm: error: the manifest has errors: no VM started' "nothing starts"
t_reject 'vmm: one: starting' "the VM started"
t_end || rc=1
exit $rc
