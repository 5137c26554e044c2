#!/bin/sh
# VMs with two vCPUs: one spread over both physical CPUs (both vCPUs run at
# once), one with both vCPUs on CPU 1 (they meet only because the scheduler
# time-slices them). Each vCPU checks that the other one runs.
. tests/boot/lib.sh
G=build/guests
t_begin smp-vm
iso=$(t_iso "exit=bochs sched.quantum=1000" \
	--module "$G/smp.bin" "name=spread mode=long64 load=0x100000 vcpus=2 cpus=0,1" \
	--module "$G/smp.bin" "name=shared mode=long64 load=0x100000 vcpus=2 cpus=1")
scripts/run-bochs.sh --iso "$iso" --cpus 2 --out "$T_OUT" --timeout 300 \
	--until '^BASALT-DONE|PANIC' || true
for vm in spread shared; do
	for n in 0 1; do
		t_expect "^$vm: PASS: smp.vcpu$n-sees-both" "$vm: vCPU $n saw both running"
	done
	t_expect "$vm: stopped: powered off by the guest \(code 0\)" "$vm powered off"
done
t_expect 'spread: vCPU 0 on cpu0 ' "spread: vCPU 0 on CPU 0"
t_expect 'spread: vCPU 1 on cpu1 ' "spread: vCPU 1 on CPU 1"
t_expect 'shared: vCPU 0 on cpu1 .*preemption timer' "shared: vCPU 0 time-sliced on CPU 1"
t_expect 'shared: vCPU 1 on cpu1 ' "shared: vCPU 1 on CPU 1"
t_reject 'FAIL|PANIC' "failures"
t_end
